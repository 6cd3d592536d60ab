"""The starter session plans: circle sessions the project wrote in its own words, following public
guidance on peer support and young people's wellbeing, each naming the guidance it follows. A school
loads them once and then edits or retires them like its own. Written for a peer leader of about 15 to
read aloud. `topic` is the default topic name a plan suits (accounts.models.DEFAULT_TOPICS); None
suits any circle."""
from __future__ import annotations

from dataclasses import dataclass

# Ends every starter plan's closing round: a worry heard in a circle never waits for the next session.
SAFETY_LINE = ("Leaders: if anything said today worries you about someone's safety, tell the supervising "
               "counselor the same day, even if it seems small. That keeps the circle's trust; it does not break it.")


@dataclass(frozen=True)
class StarterPlan:
    title: str
    opening_round: str
    activity: str
    coping_skill: str
    closing_round: str  # without the safety line, which `closing` adds
    minutes: int
    topic: str | None
    source: str

    @property
    def closing(self) -> str:
        return f"{self.closing_round}\n\n{SAFETY_LINE}"


STARTER_PLANS: tuple[StarterPlan, ...] = (
    StarterPlan(
        "Getting to know each other",
        "Welcome everyone. Go round the circle: your name, what you like to be called, and one thing you "
        "enjoyed this week. Anyone can say \"pass\", now and in every round.",
        "Read the circle's confidentiality agreement together, one short part each. After each part, ask: "
        "\"Is that clear? Any questions?\" Say it plainly: what we share stays in the circle, except when "
        "someone might be hurt or in danger. Then a leader must tell the counselor, and tells the person "
        "first when they can.\n\nThen each person finishes the sentence \"I hope this circle will...\". "
        "Write the hopes on one sheet, without names, to read again in the last session.",
        "Slow breathing. Sit comfortably with your feet on the floor. Breathe in through your nose while you "
        "count to four, and out through your mouth while you count to six. Do it five times together. "
        "Breathing out for longer than you breathe in helps your body calm down. You can do it anywhere: "
        "before a test, in bed, on the bus.",
        "Go round: one word for how you feel now. Say when and where the next session is.",
        50, None, "Mind: guidance on peer support groups"),
    StarterPlan(
        "When exams pile up",
        "Go round: from one to ten, how full does your head feel this week? Just the number, or a sentence "
        "if you want to say more.",
        "Draw a big school bag on a sheet of paper. Everyone writes or says what makes exams feel heavy: too "
        "many subjects, not knowing where to start, being compared, sleeping badly.\n\nIn pairs, pick one "
        "and think of one small thing that would make it a little lighter, like a plan for one evening or "
        "one question to ask a teacher. Share the ideas with the group. Nobody has to talk about their marks.",
        "Worry time. Choose fifteen minutes at the same time each day, not just before bed. When a worry "
        "about exams pops up during the day, write it down and tell yourself \"not now, later\". At worry "
        "time, read your list: do one thing about a worry you can change, and let the others go for today. "
        "Try it for a week and tell the circle next time how it went.",
        "Go round: one thing you will try before the next session.",
        45, "exam stress", "NHS Every Mind Matters: coping with exam stress"),
    StarterPlan(
        "Good friends, hard days",
        "Go round: something a good friend once did for you. It can be small, like saving you a seat.",
        "On a big sheet, make two lists together: \"A good friend...\" and \"Not OK in a friendship...\". "
        "For example: a good friend keeps your secrets unless you are in danger; it is not OK to share "
        "someone's photos without asking.\n\nThen talk about a made-up story: Sam's best friend has started "
        "sitting with a new group and does not answer Sam's messages. What could Sam say or do? Try "
        "sentences that start with \"I\", like \"I felt left out when...\". Talk about the story, never about "
        "people in the school by name.",
        "A kind note to yourself. Think of what you would say to a friend having a hard day. Write those "
        "words to yourself on a small card, starting with your own name. Keep it where you will see it, like "
        "your phone case or pencil case, and read it on a hard day.",
        "Go round: one thing you like about yourself as a friend.",
        45, "friendships", "Childline: advice on friendships"),
    StarterPlan(
        "New here",
        "Go round: your name, and one thing that is different here from your last school or town: the food, "
        "the buildings, the rules, the journey.",
        "Draw a map of the school together on a large sheet: where to go at lunch, where the counselor's room "
        "is, where it is quiet, which clubs meet where. Everyone adds one tip they wish they had known on "
        "their first day.\n\nThen talk: what was hardest in your first week, and what helped, even a little? "
        "Keep the map for members who join later.",
        "Grounding 5-4-3-2-1, for moments when everything feels new and too much. Quietly notice five "
        "things you can see, four you can touch, three you can hear, two you can smell and one you can "
        "taste. Do it together once, slowly. It brings your mind back to here and now.",
        "Go round: one person or place that helps you feel at home here.",
        45, "settling into a new school", "YoungMinds: starting a new school"),
    StarterPlan(
        "Changes and loss",
        "Go round: a colour for your week, and why if you want to say. Today can feel heavy: anyone can "
        "pass, or step outside for a moment, and a leader will check they are all right.",
        "Talk about changes that happen in families: moving house, parents splitting up, someone being ill, "
        "someone dying. Draw a wave on a sheet: feelings after a change come and go like waves, big on some "
        "days and small on others, and there is no right way to feel.\n\nEveryone who wants to can share "
        "one thing that helps them on a big-wave day. Nobody has to say what changed in their own family.",
        "A comfort box. Think of three things you could keep in a box for hard days: a photo, a song, a "
        "smell, a letter, something soft. Draw or write them on a card to take home. On a hard day, open "
        "the box, or pick one thing from your card.",
        "Go round: one kind thing you will do for yourself this week. The leaders stay a few minutes "
        "afterwards for anyone who wants to talk.",
        50, "family changes", "Child Bereavement UK and Winston's Wish: information for young people"),
    StarterPlan(
        "Looking after yourself",
        "Go round: how did you sleep this week? Thumbs up, in the middle, or down.",
        "Talk about five everyday things that help people feel better: spending time with others, moving "
        "your body, learning something new, doing something kind, and noticing the moment you are in.\n\n"
        "In pairs, choose two of them and plan one small step for each this week, like a walk after school "
        "or a message to a friend you have not talked to for a while. Share one step with the circle.",
        "Tense and let go. Squeeze your hands into fists for five seconds, then let go and notice the "
        "difference. Then lift your shoulders up to your ears and drop them, then press your feet into the "
        "floor and relax them. Go slowly. Bodies hold stress without us noticing; this helps them let go, "
        "for example before sleep.",
        "Go round: the one small step you chose.",
        45, None, "NHS: 5 steps to mental wellbeing"),
    StarterPlan(
        "Our last session",
        "Go round: one moment you remember from our circle, something that made you laugh or think.",
        "Read out the hopes written in the first session. Which came true?\n\nEach person makes a small "
        "\"what helps me\" card: two things that help when life is hard, one person at school they can talk "
        "to, and where to find the school counselor. Endings can feel sad, and that is normal. Remind "
        "everyone that what was shared stays in the circle after it ends too.",
        "Your favourite skill. Everyone picks the skill from our sessions that helped them most (slow "
        "breathing, 5-4-3-2-1, worry time, a kind note to yourself) and the circle practises two of them "
        "together one last time.",
        "Go round: one thing you valued about the circle, or about someone in it. Thank everyone for coming.",
        50, None, "Anna Freud Centre: self-care ideas for young people"),
)
