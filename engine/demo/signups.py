"""Sign-ups of the demo (issue 12 point 4): the first community's open need wanting the most people
(up to eight) has its roster filled by members of that community, the demo member account's member
first, and one more member on the waitlist. No draws: the rest of the demo is what it was."""

from __future__ import annotations

from engine.demo.builder import Builder

MOST_PEOPLE = 8


def build_signups(b: Builder) -> None:
    """Fill one open need of the first community to its people wanted, plus one waitlisted."""
    data = b.dataset
    orgs = data.nodes["Org"]
    community = next((o for o in orgs if o["level"] == "community"), None)
    if community is None:
        return
    subtree, grew = {community["id"]}, True
    leads = data.rels.get(("LEADS", "Org", "Org"), [])
    while grew:
        more = {r["end"] for r in leads if r["start"] in subtree} - subtree
        subtree |= more
        grew = bool(more)
    posted = {r["start"] for r in data.rels.get(("POSTED_BY", "Need", "Org"), []) if r["end"] in subtree}
    needs = sorted(
        (n for n in data.nodes["Need"] if n["id"] in posted and n["status"] == "open"),
        key=lambda n: (-n["people_wanted"] if n["people_wanted"] <= MOST_PEOPLE else 0, n["id"]),
    )
    if not needs or needs[0]["people_wanted"] < 2:
        return
    need = needs[0]
    first = [
        r["start"] for r in data.rels.get(("REPORTS_TO", "Member", "Org"), []) if r["end"] == community["id"]
    ]
    belongs = sorted(
        r["start"] for r in data.rels.get(("BELONGS_TO", "Member", "Org"), []) if r["end"] in subtree
    )
    volunteers = list(dict.fromkeys([*first[:1], *belongs]))[: need["people_wanted"] + 1]
    for seq, member_id in enumerate(volunteers, start=1):
        signup_id = f"signup-{need['id']}-{seq:02d}"
        b.add(
            "Signup",
            {
                "id": signup_id,
                "status": "signed" if seq <= need["people_wanted"] else "waitlisted",
                "seq": seq,
                "need_id": need["id"],
                "member_id": member_id,
                **b.stamps(-len(volunteers) + seq - 1),
            },
        )
        b.link("SIGNED_UP", ("Member", member_id), ("Signup", signup_id))
        b.link("SIGNUP_FOR", ("Signup", signup_id), ("Need", need["id"]))
