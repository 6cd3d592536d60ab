"""A synthetic district for the web benchmark, as DataFrames, one per table, in load order.

50 schools of 800 students (120 of them certified mentors in grades 10-12) and 8 adults each
(3 counselors, 4 staff, 1 admin; counselors and admins with an authenticator secret), four
cohorts of mentorships (three closed school years and the current one, active, about 90% of the
mentors with one or two mentees), proposals and open requests waiting for a counselor,
2,000,000 check-ins with topics spread over those years, concerns in every state (recent ones
still open or acknowledged), and mentee feedback. Seeded: the same date gives the same district.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pandas as pd

SCHOOLS, STUDENTS_PER_SCHOOL, MENTORS_PER_SCHOOL = 50, 800, 120
COUNSELORS, STAFF, ADMINS = 3, 4, 1
ADULTS_PER_SCHOOL = COUNSELORS + STAFF + ADMINS
CHECKINS = 2_000_000
MENTEES_PER_COHORT, PROPOSALS, WAITING = 160, 8, 30  # per school
SEED = 20261122
PASSWORD = "district bench password"  # every synthetic account; the server never sees another
TIMEZONE = "Europe/London"
WEEKDAY_PAIRS = [["mon-lunch", "wed-after"], ["tue-before", "thu-lunch"], ["fri-lunch"]]
SCORE_PARTS = [{"name": name, "points": points, "max": top, "words": words} for name, points, top, words in (
    ("grade", 30.0, 30.0, "2 years older"), ("interests", 20.0, 30.0, "shares football and music"),
    ("topics", 15.0, 25.0, "covers exam stress"), ("availability", 5.0, 10.0, "both free on Monday lunchtime"))]
NOTES = ("Talked about the week.", "Homework plan for the test.", "Football trials went well.", "")


def totp_secret_for(user_id: int) -> str:
    """A deterministic base32 secret, so the benchmark can compute codes without reading the database."""
    return base64.b32encode(hashlib.sha256(f"{SEED}-{user_id}".encode()).digest()[:20]).decode()


def school_year_start(day: date) -> date:
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def adult_username(school: int, role: str, k: int = 1) -> str:
    return f"s{school:02d}-{role}{k}"


def student_username(school: int, n: int) -> str:
    return f"s{school:02d}-{n:04d}"


class District:
    """Builds the tables; `tables()` yields (name, DataFrame) in an order that satisfies foreign keys."""

    def __init__(self, today: date, password_hash: str):
        self.today = today
        self.now = datetime.combine(today, time(12), tzinfo=timezone.utc)
        self.password_hash = password_hash
        self.rng = np.random.default_rng(SEED)
        from schoolpeers.accounts.models import DEFAULT_INTERESTS, DEFAULT_TOPICS
        from schoolpeers.mentors.models import DEFAULT_TRAINING_MODULES

        self.topics, self.interests = DEFAULT_TOPICS, DEFAULT_INTERESTS
        self.modules = DEFAULT_TRAINING_MODULES
        self.school_ids = np.arange(1, SCHOOLS + 1)

    # --- ids ---------------------------------------------------------------------------------

    @staticmethod
    def student_id(school: np.ndarray | int, n: np.ndarray | int):
        return (np.asarray(school) - 1) * STUDENTS_PER_SCHOOL + np.asarray(n) + 1

    @staticmethod
    def adult_id(school: int, offset: int) -> int:
        return SCHOOLS * STUDENTS_PER_SCHOOL + (school - 1) * ADULTS_PER_SCHOOL + offset + 1

    def counselor_id(self, school) -> np.ndarray:
        return SCHOOLS * STUDENTS_PER_SCHOOL + (np.asarray(school) - 1) * ADULTS_PER_SCHOOL + 1

    def topic_id(self, school, local) -> np.ndarray:
        return (np.asarray(school) - 1) * len(self.topics) + np.asarray(local) + 1

    def interest_id(self, school, local) -> np.ndarray:
        return (np.asarray(school) - 1) * len(self.interests) + np.asarray(local) + 1

    # --- tables ------------------------------------------------------------------------------

    def tables(self):
        yield "schools", self.schools()
        users = self.users()
        yield "users", users
        yield "topics", self.catalogue(self.topics)
        yield "interests", self.catalogue(self.interests)
        yield "training_modules", self.training_modules()
        yield "user_interests", self.user_interests(users)
        profiles = self.mentor_profiles()
        yield "mentor_profiles", profiles
        yield "mentor_topics", self.links(profiles, "profile_id", "topic_id", 4)
        yield "training_completions", self.training_completions(profiles)
        mentorships = self.mentorships(profiles)
        yield "mentorships", mentorships.drop(columns=["ends_on"])
        yield "mentorship_events", self.mentorship_events(mentorships)
        requests = self.mentor_requests(mentorships)
        yield "mentor_requests", requests
        yield "request_topics", self.links(requests, "request_id", "topic_id", 2)
        yield "request_interests", self.links(requests, "request_id", "interest_id", 2)
        checkins = self.checkins(mentorships)
        yield "checkins", checkins
        yield "checkin_topics", self.checkin_topics(checkins)
        concerns = self.concerns(checkins)
        yield "concerns", concerns
        yield "concern_events", self.concern_events(concerns)
        yield "mentee_feedback", self.mentee_feedback(mentorships)

    def schools(self) -> pd.DataFrame:
        n = SCHOOLS
        return pd.DataFrame({
            "id": self.school_ids, "slug": [f"district-{i:02d}" for i in self.school_ids],
            "name": [f"District School {i}" for i in self.school_ids], "timezone": TIMEZONE,
            "grade_min": 6, "grade_max": 12, "weight_grade": 30, "weight_interests": 30, "weight_topics": 25,
            "weight_language": 5, "weight_availability": 10, "auto_approve_matches": False, "min_group_size": 5,
            "checkin_cadence_days": 14, "ack_deadline_minutes": 60,
            "crisis_contact": "Tell a counselor today, or call the school office.",
            "retention_days": 1500, "created_at": [self.now] * n, "erasure_mode": "unlink",
        })

    def users(self) -> pd.DataFrame:
        school = np.repeat(self.school_ids, STUDENTS_PER_SCHOOL)
        n = np.tile(np.arange(STUDENTS_PER_SCHOOL), SCHOOLS)
        mentor = n >= STUDENTS_PER_SCHOOL - MENTORS_PER_SCHOOL
        grade = np.where(mentor, self.rng.integers(10, 13, n.size), self.rng.integers(6, 13, n.size))
        students = pd.DataFrame({
            "id": self.student_id(school, n), "school_id": school,
            "username": [student_username(s, k) for s, k in zip(school, n, strict=True)],
            "email": None, "given_name": "Student", "family_name": [f"Number{k}" for k in n],
            "role": "student", "grade": grade, "gender": self.rng.choice(["female", "male", "nonbinary"], n.size,
                                                                         p=[0.48, 0.48, 0.04]),
        })
        adults = []
        for s in self.school_ids:
            roles = ["counselor"] * COUNSELORS + ["staff"] * STAFF + ["admin"] * ADMINS
            for offset, role in enumerate(roles):
                k = roles[:offset].count(role) + 1
                adults.append({"id": self.adult_id(s, offset), "school_id": s, "username": adult_username(s, role, k),
                               "email": f"{adult_username(s, role, k)}@district.example", "given_name": role.title(),
                               "family_name": f"{k} of school {s}", "role": role, "grade": None, "gender": None})
        users = pd.concat([students, pd.DataFrame(adults)], ignore_index=True)
        users["grade"] = users["grade"].astype("Int64")
        two_factor = users["role"].isin(["counselor", "admin"])
        return users.assign(
            roster_id=users["username"], languages=json.dumps(["English"]), password_hash=self.password_hash,
            active=True, session_version=1, created_at=self.now,
            totp_secret=[totp_secret_for(i) if t else None for i, t in zip(users["id"], two_factor, strict=True)],
            totp_enabled_at=np.where(two_factor, self.now, None),
        )

    def catalogue(self, names) -> pd.DataFrame:
        school = np.repeat(self.school_ids, len(names))
        local = np.tile(np.arange(len(names)), SCHOOLS)
        return pd.DataFrame({"id": np.arange(1, school.size + 1), "school_id": school,
                             "name": np.asarray(names, dtype=object)[local]})

    def training_modules(self) -> pd.DataFrame:
        school = np.repeat(self.school_ids, len(self.modules))
        local = np.tile(np.arange(len(self.modules)), SCHOOLS)
        return pd.DataFrame({"id": np.arange(1, school.size + 1), "school_id": school,
                             "name": [self.modules[i][0] for i in local],
                             "description": [self.modules[i][1] for i in local], "position": local})

    def links(self, owners: pd.DataFrame, owner_column: str, catalogue_column: str, per_owner: int):
        """`per_owner` distinct topics or interests for each owner row (its `id` and `school_id`):
        a random first one, then every third after it."""
        owner_ids, school_ids = owners["id"].to_numpy(), owners["school_id"].to_numpy()
        size = len(self.topics if catalogue_column == "topic_id" else self.interests)
        catalogue_id = self.topic_id if catalogue_column == "topic_id" else self.interest_id
        first = self.rng.integers(0, size, owner_ids.size)
        local = (first[:, None] + np.arange(per_owner)[None, :] * 3) % size
        school = np.repeat(school_ids, per_owner)
        return pd.DataFrame({"school_id": school, owner_column: np.repeat(owner_ids, per_owner),
                             catalogue_column: catalogue_id(school, local.ravel())})

    def user_interests(self, users: pd.DataFrame) -> pd.DataFrame:
        return self.links(users[users["role"] == "student"], "user_id", "interest_id", 3)

    def mentor_profiles(self) -> pd.DataFrame:
        school = np.repeat(self.school_ids, MENTORS_PER_SCHOOL)
        n = np.tile(np.arange(STUDENTS_PER_SCHOOL - MENTORS_PER_SCHOOL, STUDENTS_PER_SCHOOL), SCHOOLS)
        year_end = date(school_year_start(self.today).year + 1, 7, 31)
        return pd.DataFrame({
            "id": np.arange(1, school.size + 1), "school_id": school, "user_id": self.student_id(school, n),
            "capacity": np.where(self.rng.random(school.size) < 0.2, 3, 2), "bio": "I like helping people.",
            "status": "active",
            "availability": [json.dumps(WEEKDAY_PAIRS[i % 3]) for i in range(school.size)],
            "motivation": "Someone helped me when I started.", "certified_until": year_end,
            "certified_by_id": self.counselor_id(school), "decided_by_id": self.counselor_id(school),
            "created_at": self.now - timedelta(days=60),
        })

    def training_completions(self, profiles: pd.DataFrame) -> pd.DataFrame:
        per = len(self.modules)
        school = np.repeat(profiles["school_id"].to_numpy(), per)
        return pd.DataFrame({"school_id": school, "profile_id": np.repeat(profiles["id"].to_numpy(), per),
                             "module_id": (school - 1) * per + np.tile(np.arange(per), len(profiles)) + 1,
                             "completed_on": self.today - timedelta(days=50),
                             "recorded_by_id": self.counselor_id(school)})

    def cohorts(self) -> list[tuple[date, date, str]]:
        """(began_on, ends_on, status): three closed school years and the current one."""
        current = school_year_start(self.today)
        past = [(date(current.year - k, 9, 1), date(current.year - k + 1, 7, 20), "closed") for k in (3, 2, 1)]
        return [*past, (current, self.today, "active")]

    def mentorships(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """Per school and cohort: 160 mentees with about 90% of the mentors (the first ones get two);
        in the current year also 8 proposals to mentors with room left."""
        rows = []
        non_mentors = STUDENTS_PER_SCHOOL - MENTORS_PER_SCHOOL
        profile_of = profiles.set_index("user_id")["id"]
        for s in self.school_ids:
            mentor_n = np.arange(non_mentors, STUDENTS_PER_SCHOOL)
            for began, ends, status in self.cohorts():
                mentees = self.rng.permutation(non_mentors)[:MENTEES_PER_COHORT + PROPOSALS]
                busy = self.rng.permutation(mentor_n)[:int(MENTORS_PER_SCHOOL * 0.9)]
                doubles = MENTEES_PER_COHORT - busy.size
                mentor_for = np.concatenate([busy[:doubles], busy])
                for k, mentee in enumerate(mentees[:MENTEES_PER_COHORT]):
                    rows.append((s, int(mentor_for[k]), int(mentee), status, began, ends))
                if status == "active":  # proposals to mentors that have one mentee
                    for k, mentee in enumerate(mentees[MENTEES_PER_COHORT:]):
                        rows.append((s, int(busy[-1 - k]), int(mentee), "proposed", None, ends))
        frame = pd.DataFrame(rows, columns=["school_id", "mentor_n", "mentee_n", "status", "began_on", "ends_on"])
        mentor_id = self.student_id(frame["school_id"], frame["mentor_n"])
        ended = frame["status"] == "closed"
        decided = pd.to_datetime(frame["began_on"]).dt.tz_localize("UTC") + pd.Timedelta(hours=9)
        return pd.DataFrame({
            "id": np.arange(1, len(frame) + 1), "school_id": frame["school_id"],
            "profile_id": profile_of.loc[mentor_id].to_numpy(), "mentor_id": mentor_id,
            "mentee_id": self.student_id(frame["school_id"], frame["mentee_n"]), "status": frame["status"],
            "score": self.rng.integers(40, 96, len(frame)),
            "explanation": "Grade fit: 2 years older. Shared interests: football, music. Covers: exam stress.",
            "score_parts": json.dumps(SCORE_PARTS),
            "began_on": frame["began_on"], "end_reason": np.where(ended, "completed", None),
            "created_at": decided.fillna(pd.Timestamp(self.now) - pd.Timedelta(days=2)) - pd.Timedelta(days=3),
            "decided_at": decided,
            "ended_at": (pd.to_datetime(frame["ends_on"]).dt.tz_localize("UTC") + pd.Timedelta(hours=15)).where(ended),
            "ends_on": frame["ends_on"],
        })

    def mentorship_events(self, mentorships: pd.DataFrame) -> pd.DataFrame:
        proposed = mentorships[["id", "school_id", "created_at"]].assign(kind="proposed")
        approved = mentorships[mentorships["status"] != "proposed"]
        approved = approved[["id", "school_id", "decided_at"]].rename(columns={"decided_at": "created_at"})
        closed = mentorships[mentorships["status"] == "closed"]
        closed = closed[["id", "school_id", "ended_at"]].rename(columns={"ended_at": "created_at"})
        events = pd.concat([proposed, approved.assign(kind="approved"),
                            closed.assign(kind="closed", reason="completed")], ignore_index=True)
        return pd.DataFrame({
            "id": np.arange(1, len(events) + 1), "school_id": events["school_id"], "mentorship_id": events["id"],
            "kind": events["kind"], "actor_id": self.counselor_id(events["school_id"]),
            "reason": events["reason"].where(events["reason"].notna(), None), "note": "", "at": events["created_at"],
        })

    def mentor_requests(self, mentorships: pd.DataFrame) -> pd.DataFrame:
        """One request per mentorship, and 30 per school still waiting for a mentor."""
        status = mentorships["status"].map({"active": "matched", "closed": "closed", "proposed": "open"})
        matched = pd.DataFrame({
            "school_id": mentorships["school_id"], "student_id": mentorships["mentee_id"], "status": status,
            "mentorship_id": mentorships["id"], "created_at": mentorships["created_at"] - timedelta(days=7),
            "closed_at": mentorships["ended_at"],
        })
        waiting = []
        for s in self.school_ids:
            current = mentorships[(mentorships["school_id"] == s) & mentorships["status"].isin(["active", "proposed"])]
            taken = set(current["mentee_id"])
            free = [i for i in self.student_id(s, np.arange(STUDENTS_PER_SCHOOL - MENTORS_PER_SCHOOL))
                    if i not in taken]
            for k, student in enumerate(self.rng.permutation(free)[:WAITING]):
                waiting.append({"school_id": s, "student_id": int(student), "status": "open", "mentorship_id": None,
                                "created_at": self.now - timedelta(days=int(k % 20), hours=k), "closed_at": None})
        requests = pd.concat([matched, pd.DataFrame(waiting)], ignore_index=True)
        requests["mentorship_id"] = requests["mentorship_id"].astype("Int64")
        return requests.assign(
            id=np.arange(1, len(requests) + 1), language=None, same_gender=False,
            availability=json.dumps(["mon-lunch", "wed-after"]), note="", created_by_id=requests["student_id"],
        )

    def checkins(self, mentorships: pd.DataFrame) -> pd.DataFrame:
        """2,000,000 check-ins on school days, spread over mentorships by how long each ran."""
        running = mentorships[mentorships["status"] != "proposed"].reset_index(drop=True)
        all_days = pd.bdate_range(self.cohorts()[0][0], self.today)
        school_days = all_days[all_days.month != 8].values.astype("datetime64[D]")
        first = np.searchsorted(school_days, running["began_on"].to_numpy().astype("datetime64[D]"))
        last = np.searchsorted(school_days, running["ends_on"].to_numpy().astype("datetime64[D]"), side="right")
        length = (last - first).astype(float)
        per = np.floor(length / length.sum() * CHECKINS).astype(int)
        per[: CHECKINS - per.sum()] += 1
        which = np.repeat(np.arange(len(running)), per)
        n = which.size
        day = school_days[first[which] + (self.rng.random(n) * length[which]).astype(int)]
        by_day = np.argsort(day, kind="stable")  # ids grow with time, as the rows of a real table do
        which, day = which[by_day], day[by_day]
        domains = {d: pd.array(np.where(self.rng.random(n) < 0.4, 0, self.rng.integers(1, 6, n)), dtype="Int64")
                   for d in ("school_work", "friendships", "home", "sleep_energy")}
        for values in domains.values():
            values[values == 0] = pd.NA
        worried = self.rng.random(n) < 0.01
        created = pd.to_datetime(day).tz_localize("UTC") + pd.Timedelta(hours=15)
        return pd.DataFrame({
            "id": np.arange(1, n + 1), "school_id": running["school_id"].to_numpy()[which],
            "mentorship_id": running["id"].to_numpy()[which], "mentor_id": running["mentor_id"].to_numpy()[which],
            "mentee_id": running["mentee_id"].to_numpy()[which], "occurred_on": np.datetime_as_string(day, unit="D"),
            "duration_minutes": self.rng.choice([15, 20, 30, 45], n),
            "mode": np.where(self.rng.random(n) < 0.8, "in_person", "online"),
            "wellbeing": self.rng.choice(5, n, p=[0.04, 0.12, 0.34, 0.33, 0.17]) + 1, **domains,
            "notes": np.asarray(NOTES, dtype=object)[self.rng.integers(0, len(NOTES), n)],
            "worried": worried, "worry_reason": np.where(worried, "Seems withdrawn lately.", None),
            "worry_severity": np.where(worried, "medium", None), "created_at": created,
        })

    def checkin_topics(self, checkins: pd.DataFrame) -> pd.DataFrame:
        n, size = len(checkins), len(self.topics)
        count = self.rng.choice(4, n, p=[0.2, 0.35, 0.3, 0.15])
        first = self.rng.integers(0, size, n)
        local = (first[:, None] + np.array([0, 4, 8])[None, :]) % size
        taken = np.arange(3)[None, :] < count[:, None]
        school = np.repeat(checkins["school_id"].to_numpy(), count)
        return pd.DataFrame({"school_id": school, "checkin_id": np.repeat(checkins["id"].to_numpy(), count),
                             "topic_id": self.topic_id(school, local[taken])})

    def concerns(self, checkins: pd.DataFrame) -> pd.DataFrame:
        """About 2% of check-ins raised one; those of the last two weeks are open, acknowledged or resolved."""
        raised = checkins[(checkins["wellbeing"] == 1) & (self.rng.random(len(checkins)) < 0.5)
                          | checkins["worried"]].reset_index(drop=True)
        n = len(raised)
        severity = self.rng.choice(["high", "medium", "low"], n, p=[0.15, 0.35, 0.5])
        created = raised["created_at"] + pd.Timedelta(minutes=5)
        recent = (self.now - created) < timedelta(days=14)
        status = np.where(recent, self.rng.choice(["open", "acknowledged", "resolved"], n), "resolved")
        resolved = status == "resolved"
        return pd.DataFrame({
            "id": np.arange(1, n + 1), "school_id": raised["school_id"], "student_id": raised["mentee_id"],
            "mentorship_id": raised["mentorship_id"], "checkin_id": raised["id"],
            "source": np.where(raised["worried"], "mentor_worry", "low_wellbeing"), "severity": severity,
            "summary": np.where(raised["worried"], "The mentor is worried.", "Well-being rated 1."),
            "raised_by_id": pd.array([None] * n, dtype="Int64"), "created_at": created,
            "ack_due_at": (created + pd.Timedelta(minutes=60)).where(severity == "high"),
            "status": status, "acknowledged_at": (created + pd.Timedelta(minutes=40)).where(status != "open"),
            "resolved_at": (created + pd.Timedelta(days=2)).where(resolved),
            "outcome": np.where(resolved, "support_given", None),
        })

    def concern_events(self, concerns: pd.DataFrame) -> pd.DataFrame:
        raised = concerns[["id", "school_id", "created_at"]].assign(kind="raised", actor=False)
        acked = concerns[concerns["status"] != "open"][["id", "school_id", "acknowledged_at"]]
        resolved = concerns[concerns["status"] == "resolved"][["id", "school_id", "resolved_at"]]
        events = pd.concat([
            raised, acked.rename(columns={"acknowledged_at": "created_at"}).assign(kind="acknowledged", actor=True),
            resolved.rename(columns={"resolved_at": "created_at"}).assign(kind="resolved", actor=True),
        ], ignore_index=True)
        actor = pd.array(np.where(events["actor"], self.counselor_id(events["school_id"]), 0), dtype="Int64")
        actor[~events["actor"].to_numpy()] = pd.NA
        return pd.DataFrame({"id": np.arange(1, len(events) + 1), "school_id": events["school_id"],
                             "concern_id": events["id"], "kind": events["kind"], "actor_id": actor,
                             "note": np.where(events["kind"] == "resolved", "Talked with the student.", ""),
                             "at": events["created_at"]})

    def mentee_feedback(self, mentorships: pd.DataFrame) -> pd.DataFrame:
        active = mentorships[mentorships["status"] == "active"]
        active = active[self.rng.random(len(active)) < 0.5]
        n = len(active)
        return pd.DataFrame({
            "id": np.arange(1, n + 1), "school_id": active["school_id"], "mentorship_id": active["id"],
            "mentee_id": active["mentee_id"],
            "rating": self.rng.choice(["going_well", "okay", "not_a_good_fit"], n, p=[0.7, 0.27, 0.03]),
            "comment": "", "created_at": [self.now - timedelta(days=int(d)) for d in self.rng.integers(0, 40, n)],
        })
