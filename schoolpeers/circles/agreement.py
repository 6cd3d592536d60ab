"""The circle's confidentiality agreement, in plain words, the same for every circle: each member reads
and accepts it before their first session (`places.agree`). Pure text, shown on the member's page."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    heading: str
    lines: tuple[str, ...]
    after: str = ""  # what follows the list


INTRO = ("A circle works when everyone feels safe to talk. Before your first session, please read what "
         "everyone in the circle agrees to.")

AGREEMENT = (
    Part("What stays in the circle", (
        "What others share in the circle stays in the circle. Do not repeat it outside, not to friends, "
        "not online, not at home.",
        "Who comes to the circle is private too: do not tell anyone who else is in it.",
        "People's stories are theirs to tell. You can talk about what you learned, never about someone else.",
    )),
    Part("What a leader must pass to a counselor", (
        "If someone is being hurt, or is at risk of being hurt, by anyone.",
        "If someone talks about hurting themselves.",
        "If someone is in danger.",
    ), "Then the leader tells the circle's counselor the same day, and nobody else. The counselor talks "
       "with the person first whenever they can."),
    Part("Your leaders", (
        "Your leaders are students, trained to run the circle and to listen. They are not counselors: for "
        "something big, they help you reach one.",
    )),
    Part("You can always leave", (
        "You can say \"pass\" in any round, stop coming, or leave the circle at any time, without saying why.",
    )),
    Part("Talking to a counselor", (
        "You can talk to the circle's counselor, or any counselor, whenever you want, about anything: find "
        "them at school, or ask for a talk here in schoolpeers.",
    )),
)

I_AGREE = "I agree to keep what is shared in the circle private, and I understand when a leader must tell a counselor."
