"""Claim 5: tactics spread between actors who talk, towards the tactics that worked.

A presses an agile target T1 (coercive) and gets nowhere; B offers inducements to T2 and
wins cooperation; C presses T3 like A but talks to nobody. At a summit of A and B, A adopts
B's inducement tactic (the adoption probability ``rate x trust x success gap`` is above one
here, so the seeded draw does not matter); B keeps its own; C, who did not talk, keeps
coercing. With ``learning`` off everyone keeps its tactic.
"""


def _scenario(build):
    actors = []
    for me, strategy in (("A", "coercive"), ("B", "inducement"), ("C", "coercive")):
        actors.append({"id": me, "capability": 9, "position": {"X": 10}, "salience": {"X": 80},
                       "behaviour": {"strategy": strategy}})
    for t in ("T1", "T2", "T3"):
        actors.append({"id": t, "position": {"X": 90}, "salience": {"X": 80},
                       "behaviour": {"agility": 0.9}})
    forums = [{"id": f"f{k}", "members": [me, t], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]}
              for k, (me, t) in enumerate((("A", "T1"), ("B", "T2"), ("C", "T3")))]
    cal = [{"id": "g8", "date": "2010-04-01", "kind": "summit", "actors": ["A", "B"]}]
    return build(actors, cal, forums, relations={"trust": [{"a": "A", "b": "B", "value": 0.8}]})


def _tactics(simulate_it, sc, off=()):
    h = simulate_it(sc, off=off, until="2010-05-01")
    summit = next(r for r in h.records if r.event_id == "g8")
    return dict(zip(("A", "B", "C"), summit.tactics[:3], strict=True))


def test_tactic_that_worked_spreads_to_who_talks(build, simulate_it):
    assert _tactics(simulate_it, _scenario(build)) == {
        "A": "inducement", "B": "inducement", "C": "coercive"}


def test_no_learning_when_switched_off(build, simulate_it):
    assert _tactics(simulate_it, _scenario(build), off=("learning",)) == {
        "A": "coercive", "B": "inducement", "C": "coercive"}
