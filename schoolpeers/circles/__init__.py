"""Peer-support circles and open sessions: small groups on a topic led by trained peer leaders under
a supervising counselor (members, waiting lists, the confidentiality agreement), their sessions from
a plan in the library (attendance, notes screened for worries, an anonymous mood round, members'
anonymous feedback), one-off workshops any student of the grades can sign up for, and the reports of
participation, mood and feedback through the reports' privacy rules."""
