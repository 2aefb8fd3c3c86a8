"""Every exercise, dose, technique instruction and caution of the five articles is *said*
by the coach, at the right time: one row per article fact, quoting the article and giving
the words the coach says for it (routines/AUDIT.md is the audit behind this table).

A row is checked against a whole default session of its routine on the virtual clock:
`during` the exercise (its setup, sets and rests), `before` its first work starts (a
caution, or an instruction that must come first), or anywhere in the `session` (the
intro and the closing words). A row with `times` counts whole utterances: a dose said or
counted once per set and side ("Release. 5 of 5" twice: five holds on each foot)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal, NamedTuple

import pytest

from voicecoach import catalog
from voicecoach.engine import texts
from voicecoach.plan import steps
from voicecoach.runtime.simulation import Simulation

When = Literal["during", "before", "session"]


class Fact(NamedTuple):
    quote: str  # the article's words
    exercise: str | None  # the routine's exercise id (None: the whole session)
    said: str  # what the coach says for it
    when: When = "during"
    times: int | None = None  # whole utterances equal to `said`, counted


def during(exercise: str, quote: str, *said: str) -> list[Fact]:
    return [Fact(quote, exercise, s) for s in said]


def before(exercise: str, quote: str, *said: str) -> list[Fact]:
    return [Fact(quote, exercise, s, "before") for s in said]


def counted(exercise: str, quote: str, said: str, times: int) -> list[Fact]:
    return [Fact(quote, exercise, said, "during", times)]


def session(quote: str, *said: str) -> list[Fact]:
    return [Fact(quote, None, s, "session") for s in said]


# ------------------------------------------------------------------ 000: behind the knee

BEHIND_KNEE = [
    *before("toe-walking", "Stand up on your tippy-toes", "Stand up on your tippy-toes."),
    *during("toe-walking", "walk for around 20 seconds", "Walk on your tiptoes. 20 seconds."),
    *during("toe-walking", "up to 5 times", "Set 1 of 5.", "Next: set 5 of 5."),
    *during("toe-walking", "with small rests in between", "Rest 10 seconds."),
    *before("toe-presses", "Stand up and bend your knees slightly", "bend your knees slightly"),
    *before("toe-presses", "Slowly grip the floor with your toes", "Slowly grip the floor"),
    *during("toe-presses", "hold for 3 seconds then release", "10 holds of 3 seconds."),
    *counted("toe-presses", "Repeat this ten times", "Release. 10 of 10", 1),
    *before("ankle-circles", "Lie down flat on your back", "Lie down flat on your back"),
    *before("ankle-circles", "Pull in your one leg", "Pull in one leg and stretch it out"),
    *during("ankle-circles", "Slowly rotate your ankle", "Slowly rotate your ankle."),
    *during("ankle-circles", "clockwise for 10 seconds", "Clockwise. 10 seconds."),
    *counted(
        "ankle-circles",
        "counter-clockwise for another ten seconds",
        "Counter-clockwise. 10 seconds.",
        2,
    ),
    *during("ankle-circles", "Switch with another side", "Switch to your left side."),
    *during("toe-pickup", "Pick up an object with your toes", "Pick up the object with your toes"),
    *during("toe-pickup", "hold for 10 seconds", "5 holds of 10 seconds."),
    *counted(
        "toe-pickup", "Repeat this five times ... for each of your foot", "Release. 5 of 5", 2
    ),
    *during("toe-pickup", "for each of your foot", "Switch to your left side."),
    *before("resistance-band", "Sit on the floor", "Sit on the floor with your legs out"),
    *before("resistance-band", "wrap your exercise band around a sturdy chair", "sturdy chair"),
    *before("resistance-band", "on top of your feet", "over the top of your feet"),
    *before("resistance-band", "slide back until you feel a pressure", "pressure in the band"),
    *during("resistance-band", "Stretch your foot backward", "Stretch your feet backward"),
    *during("resistance-band", "hold for a count of 5", "10 holds of 5 seconds."),
    *counted("resistance-band", "Repeat this for ten repetitions", "Release. 10 of 10", 1),
    *before("toe-walking", "Repeat this exercise up to 5 times - twice a day", "How often: twice"),
    *before("toe-presses", "three times a day", "How often: three times a day."),
    *before("ankle-circles", "Repeat this twice a day", "How often: twice a day."),
    *before("toe-pickup", "2-3 times a week for each of your foot", "How often: 2 to 3 times a"),
    *session("twice a day (toe walking, ankle circles)", "How often: twice a day, as the article"),
    *session("three times a day (toe presses)", "toe presses three times a day, so once more"),
    *session("2-3 times a week (toe pick-up)", "the toe pick-ups only 2 to 3 times a week"),
    *session("a knee pillow", "A knee pillow can support your top leg"),
]

# ------------------------------------------------------------ 001: back, hip and knee

BACK_HIP_KNEE = [
    *before("heel-raises", "Take a chair and place it in front of you", "Place a chair in front"),
    *before("heel-raises", "lift your left leg off the ground", "lift your left leg off the"),
    *before("heel-raises", "bend your right leg a little", "Bend your right leg a little"),
    *during("heel-raises", "Slowly raise and lower right heel", "Slowly raise and lower your"),
    *during("heel-raises", "foot properly aligned with your leg", "aligned with your leg"),
    *during("heel-raises", "Do about 10-20 reps", "Right side, set 1 of 2. "),
    *counted("heel-raises", "10-20 reps ... switch legs, 2-3 sets", "10", 4),
    *during("heel-raises", "switch legs", "Switch to your left side. Stand tall on your left"),
    *during("toe-walking", "feet straight and walk forward for 20 seconds", "feet straight. 20"),
    *counted(
        "toe-walking",
        "point your toes outward and walk for another 20 seconds",
        "Point your toes outward and keep walking. 20 seconds.",
        6,
    ),
    *counted(
        "toe-walking",
        "point your toes inwards and repeat",
        "Point your toes inward and keep walking. 20 seconds.",
        6,
    ),
    *during("toe-walking", "Rest for 10-15 seconds", "Rest 10 seconds."),
    *during("toe-walking", "Repeat the movements 5 more times", "Next: set 6 of 6."),
    *before("ankle-circles", "Lie on your back ... feet flat on the floor", "feet flat on the"),
    *before("ankle-circles", "Hugging your right knee to your chest", "Hug your right knee"),
    *during("ankle-circles", "move your right ankle in a circular motion", "in a circle."),
    *during("ankle-circles", "pointed ... 12 o'clock and flexed outwards ... 6", "twelve o'clock"),
    *during("ankle-circles", "5-10 circles in a clockwise motion", "Clockwise. 5 times."),
    *counted(
        "ankle-circles",
        "change direction; repeat for another 5-10 circles",
        "Counter-clockwise. 5 times.",
        10,
    ),
    *during("ankle-circles", "bring it down and repeat ... with your left ankle", "Bring your"),
    *during("ankle-circles", "repeat ... with your left ankle", "switch to your left side, set 1"),
    *during("ankle-circles", "about 5 sets with each foot", "Right side, set 5 of 5."),
    *during("ankle-circles", "about 5 sets with each foot", "Left side, set 5 of 5."),
    *before("tibialis-anterior", "Sit on the floor", "Sit on the floor."),
    *before("tibialis-anterior", "left knee bent ... right leg out", "straighten your right leg"),
    *before("tibialis-anterior", "sturdy chair or bedpost to withstand the pull", "withstand"),
    *before("tibialis-anterior", "band on the top of your right foot", "top of your right foot"),
    *during("tibialis-anterior", "gently bring your toes up towards your head", "Gently bring"),
    *during("tibialis-anterior", "Hold each position for about 2 seconds", "10 holds of 2 s"),
    *counted("tibialis-anterior", "about 10 repetitions, 3 sets each foot", "Release. 10 of 10", 6),
    *during("tibialis-anterior", "switch legs and repeat the routine", "Bend your right knee"),
    *during("tibialis-anterior", "switch legs", "Next: switch to your left side, set 1 of 3."),
    *during("tibialis-anterior", "about 3 sets for each foot", "Next: left side, set 3 of 3."),
    *before("toe-curls", "Sit down on a chair and place a towel on the floor", "Sit down on a"),
    *before("toe-curls", "Place both feet on the towel", "Place both feet on the towel."),
    *during("toe-curls", "Use all your toes to scrunch up the towel", "Scrunch the towel up"),
    *during("toe-curls", "try scrunching the towel back out again", "scrunch the towel back out"),
    *during("toe-curls", "Repeat 5 sets for each direction", "Next: set 5 of 5."),
    *during("toe-curls", "rest and wiggle your toes", "Wiggle your toes to promote blood flow."),
    *before("towel-grab", "Place your feet back on the towel", "Place your feet back on the"),
    *during("towel-grab", "grab the towel with your toes and hold it", "Grab the towel with"),
    *during("towel-grab", "hold it for 10 seconds", "5 holds of 10 seconds."),
    *counted("towel-grab", "Release and repeat 5 times for each foot", "Release. 5 of 5", 2),
    *session("2-3 times per week", "How often: 2 to 3 times per week"),
    *session("shoes that do not fit properly", "shoes that do not fit properly"),
    *session("aggravates your sciatica", "aggravate sciatica"),
]

# ------------------------------------------------------- 003: back, hip, knee in 20 min

BACK_HIP_KNEE_20 = [
    *during("ankle-circles", "the ankle circular rotation", "Rotate your ankle in a slow, full"),
    *session("(or a belt or bathrobe sash)", "resistance band (or a belt or bathrobe sash)"),
    *before("foot-flexes", "Sit on the floor ... legs out in front of you", "legs straight out"),
    *before("foot-flexes", "one end of the band around a bedpost", "around a bedpost"),
    *before("foot-flexes", "with the slack taken out", "Take the slack out of the band."),
    *during("foot-flexes", "Flex your feet backwards against the band", "Flex your feet back"),
    *during("foot-flexes", "hold for five to ten seconds", "8 holds of 10 seconds."),
    *before("pencil-pickups", "be barefoot", "Take your shoes and socks off."),
    *before("pencil-pickups", "Place the pencil or pen on the floor", "stand in front of it"),
    *during("pencil-pickups", "Pick it up with your toes and hold it up", "Pick it up with"),
    *during("pencil-pickups", "hold it up for ten seconds", "5 holds of 10 seconds"),
    *during("pencil-pickups", "hold it up for ten seconds and then drop it", "then drop it"),
    *during("pencil-pickups", "until ... pain beginning to decrease", "pain beginning to decre"),
    *before("toe-presses", "Stand up and bend your knees slightly", "bend your knees slightly"),
    *during("toe-presses", "Grip the floor below your feet", "Grip the floor below your feet"),
    *during("toe-presses", "hold onto that pose for three seconds", "10 holds of 3 seconds"),
    *during("toe-presses", "Repeat until you feel your body relaxing", "your body relaxing"),
    *before("toe-walks", "get up on your tip toes", "Get up on your tiptoes."),
    *during("toe-walks", "walk forwards for ten to twenty seconds", "forwards on your tiptoes"),
    *during("toe-walks", "or until you have to stop", "20 seconds, or until you have to stop"),
    *session("can cause ... the back, knees and hips to compensate", "can make the back, knees"),
]

# ------------------------------------------------------------- 002: knee strength (11)

KNEE_STRENGTH = [
    *session("not all of these may be right for you", "Not all of these exercises may be"),
    *session("If your knee pain is acute, intense, or persistent", "acute, intense, or persistent"),
    *before("lunge-stretch", "barefoot or in your socks", "barefoot or in your socks"),
    *before("lunge-stretch", "with one knee on the ground", "back knee on the ground"),
    *before("lunge-stretch", "or in a full stand", "Do it in a full stand if the pressure"),
    *before("lunge-stretch", "same arm in the air as the hip", "raise the arm on the side"),
    *during("lunge-stretch", "Gently lean into the stretch, pushing your hips", "Gently lean"),
    *during("lunge-stretch", "turn up and towards the hip", "Turn up and towards the hip"),
    *during("lunge-stretch", "Hold for five seconds ... five to ten times", "6 holds of 5 s"),
    *during("lunge-stretch", "each time gently stretching a little bit further", "a little bit"),
    *during("lunge-stretch", "(a lunge on each side)", "Switch to your left side."),
    *before("leg-lifts", "lie on your side ... one perfectly straight line", "one straight line"),
    *before("leg-lifts", "bend your bottom knee to keep yourself balanced", "bottom knee"),
    *during("leg-lifts", "Very slowly, squeeze your glute and lift your top leg", "very slowly"),
    *during("leg-lifts", "Do not let your leg wobble back and forth", "wobble back and forth"),
    *during("leg-lifts", "trace a straight line on the wall or a pole", "trace a straight line"),
    *during("leg-lifts", "ten to twenty reps per side", "Right side. 12 times"),
    *during("leg-lifts", "or until you can't do anymore", "or until you can't do anymore"),
    *during("leg-lifts", "If the exercise becomes too easy, add ankle weights", "add ankle w"),
    *before("glute-bridges", "lie on your back with your hands across your chest", "across your"),
    *before("glute-bridges", "knees bent and hip-width apart, feet flat", "hip-width apart"),
    *before("glute-bridges", "knees are not caving inward", "Don't let your knees cave inward."),
    *before("glute-bridges", "place a somewhat tight band around both of your knees", "tight band"),
    *during("glute-bridges", "Pull your core in tight ... lift your hips", "lift your hips"),
    *during("glute-bridges", "Keep your feet flat on the ground", "Keep your feet flat"),
    *during("glute-bridges", "Hold for three to five seconds", "10 holds of 3 seconds."),
    *during(
        "glute-bridges", "single leg, and with the addition of weight", "single leg. Add weight"
    ),
    *before("clamshells", "lie on your side with your knees bent and tucked up", "tucked up"),
    *during("clamshells", "open your top leg like the lid of a clamshell", "lid of a clamshell"),
    *during("clamshells", "using your glutes, not your quads", "not your quads"),
    *during("clamshells", "place your hand on your glutes", "Put a hand on your glutes"),
    *before("split-squat", "check with your doctor or physio, or stop if", "check with your doc"),
    *before("split-squat", "may not be suitable for all types of knee conditions", "may not be"),
    *before("split-squat", "one foot on a step or bench ... split stance", "split stance"),
    *before("split-squat", "both feet pointing straight forward ... hips squared", "hips squared"),
    *before("split-squat", "hands on your hips and core pulled in tight", "Hands on your hips"),
    *during("split-squat", "You will feel a big stretch in the extended hip", "big stretch"),
    *during("split-squat", "track out over your third toe ... past your toes", "past your toes"),
    *during("split-squat", "Go down for three slow counts ... bottom ... for one", "three slow"),
    *during("split-squat", "remain in the bottom position for one", "Pause 1 second at the bottom"),
    *counted("split-squat", "Ten to twelve times per side", "up, 10", 2),
    *during("split-squat", "keeping your front foot flat ... push through your heel", "your heel"),
    *during("split-squat", "The higher the step, the easier", "the higher the step, the easier"),
    *during("split-squat", "Work your way down ... then consider adding weights", "adding we"),
    *before("back-plank", "Lying on your back, prop yourself up on your elbows", "elbows."),
    *during("back-plank", "Keeping your head back, squeeze your glutes", "Keep your head back"),
    *during("back-plank", "balancing on your elbows and heels ... straight line", "and heels"),
    *during("back-plank", "holding for ten seconds at a time, for 6 repetitions", "6 holds of 10"),
    *during("back-plank", "work your up to holding for a full minute", "a full minute"),
    *before("romanian-deadlift", "not suitable for those with back pain", "not suitable for those"),
    *before("romanian-deadlift", "feet hip-width apart and your shoulders back", "shoulders back"),
    *before("romanian-deadlift", "knees not bent but not locked", "not bent, but not locked"),
    *before("romanian-deadlift", "Do not bend your back", "do not bend your back"),
    *during("romanian-deadlift", "a lightweight bar or a couple of dumbbells", "dumbbells"),
    *during("romanian-deadlift", "shoulder blades squeezed ... tilt at the hips", "tilt at the"),
    *during("romanian-deadlift", "core tight, tilt at the hips", "core tight, tilt at the hips"),
    *during("romanian-deadlift", "extend your arms downward towards your feet", "arms down"),
    *during("romanian-deadlift", "hands/the bar/the dumbbells", "Hands, bar or dumbbells"),
    *during("romanian-deadlift", "just past your knees, squeeze your glutes", "Just past your"),
    *before("peterson-step-up", "edge of a bench or step with one leg off to the side", "the side"),
    *before("peterson-step-up", "You may need to use a handrail for balance", "handrail"),
    *during("peterson-step-up", "reach your free foot down towards the ground", "free foot down"),
    *during("peterson-step-up", "keeping your hips level", "Keep your hips level"),
    *during("peterson-step-up", "Without actually putting ... weight on the ground", "any weight"),
    *during("peterson-step-up", "push through the foot on the bench", "Push through the foot"),
    *during("peterson-step-up", "small movement ... over your third toe", "A small movement"),
    *during("step-up-variations", "facing forward and stepping forward", "Face forward and"),
    *during("step-up-variations", "facing up the stairs and stepping backwards", "up the stairs"),
    *during("step-up-variations", "not actually putting your foot on the floor", "on the floor"),
    *during("step-up-variations", "knee tracking out over the third toe", "third toe"),
    *before("calf-raises", "with both calves supporting your weight", "on both feet"),
    *before("calf-raises", "do not grip the handrail", "Don't grip the rail"),
    *during("calf-raises", "Drop your heels down off the back of the step", "Drop your heels"),
    *during("calf-raises", "extend upwards ... until you are standing on your toes", "onto your"),
    *during("calf-raises", "Lower yourself slowly back down", "Lower yourself slowly back"),
    *during("calf-raises", "repeat ten to twelve times", "10 times."),
    *during("calf-raises", "switch to doing one leg at a time", "do one leg at a time"),
    *during("calf-raises", "and then adding light weights", "Then add light weights."),
    *during("footwork", "scrunch and gather a towel", "Scrunch and gather the towel"),
    *during("footwork", "repeating this until your feet feel tired", "until your feet feel"),
    *during("footwork", "marbles ... from one bowl to another", "from one bowl to another"),
    *session("leave your feet and ankle exercises to the end", "to the end of your workouts"),
    *session("Maintaining a healthy weight", "Keep your weight healthy"),
    *session("anti-inflammatory foods", "anti-inflammatory foods"),
    *session("Foods to avoid", "Foods to avoid: salt; sugar"),
]

# ------------------------------------------------------------------- 004: ground up

GROUND_UP = [
    *session("Every exercise is intended to start from zero pain", "start from zero pain"),
    *session("begin to experience pain ... please see a doctor", "please see a doctor"),
    *during("backwards-walking", "moderate steps shifting toe-to-heel", "Moderate steps"),
    *during("backwards-walking", "longer strides ... toe behind the knee", "toe behind the knee"),
    *during("backwards-walking", "(10 minutes of walking backwards)", "toe to heel. 10 minutes."),
    *before("backwards-walking", "a treadmill powered-off", "powered-off treadmill"),
    *before("backwards-walking", "back rested on the front panel/handles", "the front panel"),
    *before("backwards-walking", "push the belt backwards", "push the belt backwards"),
    *before("backwards-walking", "Place a mat or pad on your back", "Place a mat or pad"),
    *session("a treadmill powered-off ... a mat or pad", "need: treadmill for the Deadmill (opt"),
    *session("a treadmill powered-off ... a mat or pad", "mat or pad (optional)"),
    *before("backwards-walking", "(5 minutes of Deadmill backwards walking)", "after 5 minutes"),
    *before("tibialis-raise", "butt against a wall and tilt slightly forward", "tilt slightly"),
    *before("tibialis-raise", "shoulder blades off the wall", "shoulder blades off the wall"),
    *before("tibialis-raise", "step out about 12 inches", "about 12 inches"),
    *before("tibialis-raise", "pausing at the top for one second", "Pause 1 second at the top"),
    *during("tibialis-raise", "Use your shin muscles to raise your toes", "shin muscles"),
    *during("tibialis-raise", "2 sets of 25 reps", "Set 1 of 2. 25 times."),
    *during("tibialis-raise", "alternating with Calf Raises", "Next exercise: Calf Raise."),
    *during("tibialis-raise", "increase the distance ... decrease for less", "closer to the wall"),
    *counted("tibialis-raise", "2 sets of 25 reps (tibialis raise)", "25", 2),
    *before("calf-raise", "both hands on the wall with your arms straight", "arms straight"),
    *before("calf-raise", "Keeping your hips tucked in", "Keep your hips tucked in"),
    *before("calf-raise", "small steps backwards until ... slight stretch", "slight stretch"),
    *during("calf-raise", "Pushing your heels upward", "Push your heels upward."),
    *during("calf-raise", "pausing at the top for one second", "Pause 1 second at the top"),
    *during("calf-raise", "alternating with Tibialis Raise", "Next: Tibialis Raise, set 2 of 2"),
    *counted("calf-raise", "2 sets of 25 reps (calf raise)", "25", 2),
    *before("patrick-step", "right hand on a wall ... face left", "Right hand on the wall, facing"),
    *before("patrick-step", "raise your right leg off the ground 2-3 inches", "2 to 3 inches"),
    *during("patrick-step", "step down ... bending at your left knee", "like walking down"),
    *during("patrick-step", "Keep your left heel firmly on the floor", "heel firmly on the floor"),
    *during("patrick-step", "Straighten your left leg back", "Straighten your standing leg"),
    *during("patrick-step", "Train your right leg by setting up opposite", "facing right"),
    *during("patrick-step", "alternate 2 sets of 25 reps per side", "Next: switch to your left"),
    *counted("patrick-step", "2 sets of 25 per side, a third on one leg", "25", 5),
    *during("patrick-step", "a third set on the weaker/stiffer leg", "weaker or stiffer leg"),
    *during("patrick-step", "For less difficulty, bring your step closer", "step closer"),
    *during("patrick-step", "reach your step further, leaning back slightly", "leaning back"),
    *before("reverse-nordic", "Starting on your knees with your body upright", "on your knees"),
    *during("reverse-nordic", "slowly sit back until your butt is resting", "Slowly sit back"),
    *during("reverse-nordic", "squeezing your glutes and flexing your hips", "flex your hips"),
    *during("reverse-nordic", "(2 sets of 25)", "Set 1 of 2. 25 times."),
    *during("reverse-nordic", "use a resistance band for assistance", "long-loop resistance band"),
    *session("fasten a long-loop resistance band to a ... bar", "band on an overhead bar (opt"),
    *before("hamstring-curl", "light weight (15 lbs recommended)", "15 pounds is recommended"),
    *before("hamstring-curl", "Using one leg at a time", "Use one leg at a time."),
    *before("hamstring-curl", "standing hamstring curl with an ankle weight", "an ankle weight"),
    *before("hamstring-curl", "Ensure your hips and glutes are kept forward", "glutes forward"),
    *during("hamstring-curl", "focus on the squeeze and hold for one second", "Squeeze, and hold"),
    *during("hamstring-curl", "alternate 3 sets of 15 per side", "Right side, set 1 of 3."),
    *counted("hamstring-curl", "3 sets of 15 per side", "15", 6),
    *session("may take 2-4 weeks to see a difference", "2 to 4 weeks"),
    *session("trying this routine 2 times a week", "How often: 2 times a week."),
]

FACTS = {
    "behind-knee": BEHIND_KNEE,
    "back-hip-knee": BACK_HIP_KNEE,
    "back-hip-knee-20": BACK_HIP_KNEE_20,
    "knee-strength": KNEE_STRENGTH,
    "ground-up": GROUND_UP,
}
ROWS = [(name, fact) for name, facts in FACTS.items() for fact in facts]


@cache
def records(name: str) -> tuple[dict[str, Any], ...]:
    """What a whole default session of `name` logs (`--fast --log` without the header)."""
    return tuple(Simulation(catalog.find(name)).finish().records)


def windows(name: str, exercise: str, when: When) -> list[tuple[float, float]]:
    """The times the session spends in `exercise` (a superset's members take turns), or,
    `before`, from its setup to its first work: words starting after `a`, up to `b`
    (the last "Release. 5 of 5" starts as the next exercise begins: it is this one's)."""
    log = records(name)
    states = [r for r in log if r["type"] == "state"]
    if when == "before":
        start = next(r["t"] for r in states if r["exercise"] == exercise)
        go = next(r["t"] for r in states if r["exercise"] == exercise and r["phase"] in WORK)
        return [(start, go)]
    out, start = [], None
    for r in states:
        if r["exercise"] == exercise and start is None:
            start = r["t"]
        elif r["exercise"] != exercise and start is not None:
            out.append((start, r["t"]))
            start = None
    if start is not None:
        out.append((start, log[-1]["t"] + 1))
    return out


WORK = ("work", "hold")


def heard(name: str, fact: Fact) -> list[str]:
    """What the coach says when the fact's row says it should be said."""
    says = [r for r in records(name) if r["type"] == "say"]
    if fact.exercise is None:
        return [r["text"] for r in says]
    spans = windows(name, fact.exercise, fact.when)
    if fact.when == "before":
        return [r["text"] for r in says if any(a < r["t"] < b for a, b in spans)]
    return [r["text"] for r in says if any(a < r["t"] <= b for a, b in spans)]


@pytest.mark.parametrize(
    ("name", "fact"), ROWS, ids=[f"{n}:{f.exercise or 'session'}:{f.said}" for n, f in ROWS]
)
def test_the_coach_says_each_article_fact_when_it_is_needed(name: str, fact: Fact) -> None:
    lines = heard(name, fact)
    if fact.times is not None:
        assert lines.count(fact.said) == fact.times, f"{fact.quote!r}: {fact.said!r}"
    else:
        text = " ".join(lines).lower()
        assert fact.said.lower() in text, f"{fact.quote!r}: never said {fact.said!r}"


@pytest.mark.parametrize("name", FACTS)
def test_every_exercise_of_the_routine_has_rows_in_the_article_table(name: str) -> None:
    covered = {f.exercise for f in FACTS[name]}
    assert {e.id for e in catalog.find(name).exercises} <= covered


@pytest.mark.parametrize("name", FACTS)
def test_every_caution_of_the_routine_has_a_row_said_before_its_exercise(name: str) -> None:
    """A caution added to a routine file needs its row here: said before the work."""
    r = catalog.find(name)
    rows = FACTS[name]
    for ex in r.exercises:
        firsts = [f.said.lower() for f in rows if f.exercise == ex.id and f.when == "before"]
        for caution in ex.cautions:
            assert any(s in caution.lower() for s in firsts), f"{ex.id}: {caution}"
    for caution in r.cautions:
        assert any(f.said.lower() in caution.lower() for f in rows if f.when == "session")


def test_the_table_checks_something_that_could_be_missing() -> None:
    # a row for words the coach never says fails
    ghost = Fact("stop if it hurts", "toe-walking", "Stop if your toes go numb.")
    assert ghost.said.lower() not in " ".join(heard("behind-knee", ghost)).lower()
    # and a caution said after the work started would not count as said before it
    late = Fact("walk for around 20 seconds", "toe-walking", "Halfway", "before")
    assert "Halfway" not in heard("behind-knee", late)


# A speech engine reads what it is given: espeak-ng says "2-3" as "two dash three", "15 lbs"
# as "fifteen L B S" and "hands/bar" with a "slash". Ranges are said "2 to 3".
UNREADABLE = re.compile(
    r"\d\s*[-\u2013]\s*\d"  # a range with a dash
    r"|\d\s*x\s*\d"  # 3x10
    r"|[/&%+=<>#*_|\\\[\]{}@~^\u00b0]"  # symbols
    r"|\b(?:lbs?|oz|kg|cm|mm|ft|secs?|mins?|hrs?|approx|vs|etc)\b|\be\.g\.|\bi\.e\."
)


def unreadable(text: str) -> list[str]:
    return [m.group(0) for m in UNREADABLE.finditer(text)]


def what_the_coach_can_say(name: str) -> list[str]:
    """Every line of a whole default session, and for each step of it what `repeat` (once
    and twice) and `pain` would say there."""
    routine = catalog.find(name)
    lines = [r["text"] for r in records(name) if r["type"] == "say"]
    for step in steps(routine):
        ex = routine.exercises[step.exercise]
        lines += [texts.instructions(step, ex, 1.0, list(ex.cues)), texts.pain(ex, routine)]
        lines.append(texts.instructions_whole(step, ex, 1.0))
    return lines


@pytest.mark.parametrize("name", FACTS)
def test_every_line_the_coach_says_reads_aloud_without_symbols_or_abbreviations(name) -> None:
    bad = {line: unreadable(line) for line in what_the_coach_can_say(name) if unreadable(line)}
    assert not bad, bad


def test_the_read_aloud_check_catches_ranges_symbols_and_abbreviations() -> None:
    assert unreadable("lift your foot 2-3 inches, 15 lbs, hands/the bar, e.g. a step") == [
        "2-3",
        "lbs",
        "/",
        "e.g.",
    ]
    assert unreadable("lift your foot 2 to 3 inches; 15 pounds. Counter-clockwise.") == []
