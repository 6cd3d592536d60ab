"""The counselor's overview across the features: the dashboard and a student's timeline.

It sits above the feature packages (accounts, mentors, matching, oversight) and may read from all of
them; none of them imports it.
"""
