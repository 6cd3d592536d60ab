"""The starter set: short coping strategies the project wrote in its own words from public guidance,
each naming the guidance it follows. A school loads them once and then edits or retires them like its
own. `topics` are the default topic names each suits (a school without such a topic keeps it general)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StarterResource:
    title: str
    body: str
    topics: tuple[str, ...]
    source: str
    link: str


STARTER_SET: tuple[StarterResource, ...] = (
    StarterResource(
        "When stress piles up",
        "Stress shows in the body too: a tight chest, a short temper, trouble sleeping. Break one big job "
        "into small steps and do the first step now. Move for ten minutes; a walk counts. Breathe slowly, in "
        "for four and out for six, a few times. Tell someone you trust what is on your mind.",
        ("exam stress", "motivation"),
        "NHS Every Mind Matters: tips to reduce stress", "https://www.nhs.uk/every-mind-matters/"),
    StarterResource(
        "Sleeping better",
        "Go to bed and get up at about the same time every day, weekends too. Put screens away an hour "
        "before bed and keep your phone out of reach. Skip energy drinks and cola after lunch. If you cannot "
        "sleep after about twenty minutes, get up, do something calm in low light, and try again. Most "
        "teenagers need eight to ten hours.",
        ("motivation",),
        "NHS: how to get to sleep", "https://www.nhs.uk/live-well/sleep-and-tiredness/"),
    StarterResource(
        "Exam worry",
        "Revise in short blocks with breaks, and test yourself instead of only reading again. Sleep, food and "
        "water the night before help more than a late night. On the day, breathe slowly, read each question "
        "twice and start with one you can do. Some worry is normal; if it stops you sleeping, eating or "
        "coming to school, tell a counselor.",
        ("exam stress",),
        "Childline: exam stress", "https://www.childline.org.uk/info-advice/school-college-and-work/"),
    StarterResource(
        "When friendships feel hard",
        "Falling out happens. When you are upset, wait a little before you reply. Say how you feel starting "
        "with \"I\": \"I felt left out when…\". Clubs are good places to meet people who like what you like. "
        "Someone who puts you down, pressures you or shares your secrets is not being a good friend. If it "
        "is bullying, keep screenshots and tell an adult.",
        ("friendships", "bullying"),
        "Childline: friends, relationships and bullying", "https://www.childline.org.uk/info-advice/"),
    StarterResource(
        "Feeling lonely",
        "Lots of people feel lonely sometimes, even in a busy school. Try one small step: say hello to one "
        "person, sit with the same people at lunch for a week, or join one club. Doing something kind for "
        "someone connects you too. If you have felt lonely and low for weeks, talk to a counselor.",
        ("feeling lonely", "settling into a new school"),
        "NHS Every Mind Matters: loneliness", "https://www.nhs.uk/every-mind-matters/"),
    StarterResource(
        "A healthier online life",
        "Notice how each app makes you feel, and mute or unfollow accounts that make you feel worse. Turn "
        "notifications off at night. Never send pictures or personal details to someone you only know "
        "online: anyone who asks you to keep it secret is a warning sign, so tell an adult. Block, report "
        "and keep the evidence.",
        ("online life",),
        "UK Safer Internet Centre: advice for young people", "https://saferinternet.org.uk/"),
    StarterResource(
        "When someone dies",
        "Grief can feel like sadness, anger, numbness or guilt, and it comes and goes. There is no right way "
        "to grieve. Keep some routines: meals, sleep, time with friends. Remembering the person, with photos "
        "or writing, can help. Tell a teacher or counselor, so school understands if it is hard to "
        "concentrate.",
        ("family changes",),
        "Child Bereavement UK: information for young people", "https://www.childbereavementuk.org/"),
)
