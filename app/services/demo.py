"""The demo project `make run` loads: journeys 1 to 4 of the product brief, in Danish.

Loading it twice changes nothing: the organisation's slug marks it as loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from app.models import (
    AgendaItem,
    Agreement,
    AgreementIdea,
    AgreementUpdate,
    Ballot,
    Comment,
    Evaluation,
    Idea,
    Material,
    Meeting,
    Organisation,
    OrgMembership,
    Phase,
    PhaseMembership,
    Project,
    ProjectInvite,
    ProjectMember,
    User,
    Vote,
    VoteOption,
)
from app.services.passwords import hash_password

DEMO_SLUG = "koebenhavns-kommune"
DEMO_PASSWORD = "demo1234"
DEMO_INVITE_TOKEN = "demo-groennere-noerrebro"
DEMO_ACCOUNTS = (
    ("Mette Hansen", "mette@godialog.dk", "organisation admin and facilitator (tovholder)"),
    ("Jonas Berg", "jonas@godialog.dk", "staff, facilitator of the action phase"),
)
CITIZENS = ("Ali Yilmaz", "Birgit Sørensen", "Karim Haddad", "Lene Holm")


def load_demo(session: Session, *, today: date | None = None) -> bool:
    """Add the demo organisation and project; False (and no change) when it is already there."""
    if session.exec(select(Organisation).where(Organisation.slug == DEMO_SLUG)).first():
        return False
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)

    def add(obj):  # type: ignore[no-untyped-def]
        session.add(obj)
        session.flush()
        return obj

    pw = hash_password(DEMO_PASSWORD)
    mette, jonas = (add(User(display_name=n, email=e, password_hash=pw)) for n, e, _ in DEMO_ACCOUNTS)
    ali, birgit, karim, lene = (add(User(display_name=n, is_guest=True)) for n in CITIZENS)
    org = add(Organisation(name="Københavns Kommune", slug=DEMO_SLUG))
    add(OrgMembership(org_id=org.id, user_id=mette.id, role="admin"))
    add(OrgMembership(org_id=org.id, user_id=jonas.id, role="staff"))

    project = add(Project(
        org_id=org.id, title="Et grønnere Nørrebro", created_by_id=mette.id, report_public=True,
        description="Borgere, foreninger og kommunen finder sammen på mere grønt, flere steder at "
                    "mødes og bedre byrum på Nørrebro.",
    ))
    idea_phase = add(Phase(project_id=project.id, position=0, title="Idéfase", status="active",
                           goal="Saml idéer til grønne byrum og vælg dem, vi arbejder videre med.",
                           starts_on=today - timedelta(days=21), ends_on=today + timedelta(days=30)))
    action_phase = add(Phase(project_id=project.id, position=1, title="Handlingsfase", status="planned",
                             goal="Gennemfør aftalerne og vurder, om de løste opgaven.",
                             starts_on=today + timedelta(days=31), ends_on=today + timedelta(days=120)))
    for user in (mette, jonas, ali, birgit, karim, lene):
        add(ProjectMember(project_id=project.id, user_id=user.id))
    add(PhaseMembership(phase_id=idea_phase.id, user_id=mette.id, role="facilitator"))
    add(PhaseMembership(phase_id=action_phase.id, user_id=jonas.id, role="facilitator"))
    for citizen in (ali, birgit, karim):
        add(PhaseMembership(phase_id=idea_phase.id, user_id=citizen.id, role="participant"))
    add(ProjectInvite(project_id=project.id, phase_id=idea_phase.id, token=DEMO_INVITE_TOKEN,
                      created_by_id=mette.id, expires_at=now + timedelta(days=365)))

    past = add(Meeting(project_id=project.id, phase_id=idea_phase.id, kind="dialogue",
                       title="Dialogmøde: Hvad mangler Nørrebro?", starts_at=now - timedelta(days=10),
                       ends_at=now - timedelta(days=10) + timedelta(hours=2), place="Nørrebro Bibliotek"))
    workshop = add(Meeting(project_id=project.id, phase_id=idea_phase.id, kind="workshop",
                           title="Workshop 1: Grønne idéer", starts_at=now + timedelta(days=5),
                           ends_at=now + timedelta(days=5, hours=2), place="Nørrebro Bibliotek, salen",
                           online_url="https://meet.example.dk/groen-workshop"))
    agenda = [
        ("Velkomst og formål", "Mette byder velkommen og fortæller om projektet.", 10, None, ""),
        ("Idéer til grønne byrum", "Vi samler og drøfter idéer på idévæggen.", 40, None, ""),
        ("Bænke ved søen", "Der mangler steder at sidde ved Sortedams Sø.", 15, ali.id,
         "Mange ældre kan ikke gå hele vejen rundt uden en pause."),
        ("Prioritering med prikker", "Alle får tre prikker at fordele.", 20, None, ""),
        ("Aftaler og næste skridt", "Hvem gør hvad, og hvornår?", 15, None, ""),
    ]
    items = [add(AgendaItem(meeting_id=workshop.id, position=i, title=t, description=d, planned_minutes=m,
                            proposed_by_id=by, proposal_reason=why,
                            answer="Godt forslag - det tager vi med." if by else ""))
             for i, (t, d, m, by, why) in enumerate(agenda)]
    add(AgendaItem(meeting_id=workshop.id, position=len(items), title="Kaffe og kage", status="proposed",
                   proposed_by_id=karim.id, proposal_reason="Så bliver folk lidt længere."))
    asked = add(AgendaItem(meeting_id=past.id, position=0, title="Hvad mangler Nørrebro?", planned_minutes=60,
                           conclusion="Flere træer, steder at sidde og fælles dyrkning blev nævnt af mange."))
    chosen = add(AgendaItem(meeting_id=past.id, position=1, title="Hvad går vi videre med?", planned_minutes=30,
                            conclusion="Bænkene ved søen fik flest prikker og bliver til en aftale."))
    add(Comment(project_id=project.id, meeting_id=workshop.id, agenda_item_id=items[1].id,
                author_id=birgit.id, body="Kan vi også tale om skolevejene?"))
    add(Comment(project_id=project.id, meeting_id=workshop.id, agenda_item_id=items[2].id,
                author_id=lene.id, body="Enig! Især ved legepladsen."))
    add(Material(project_id=project.id, phase_id=idea_phase.id, meeting_id=workshop.id, kind="link",
                 title="Kommunens plan for byens træer", url="https://www.kk.dk/", added_by_id=mette.id))

    # the past meeting's minutes: ideas from its first item, a dot vote and a decision in its second
    ideas = [add(Idea(project_id=project.id, phase_id=idea_phase.id, meeting_id=past.id, author_id=a.id,
                      agenda_item_id=asked.id, title=t, body=b, status=s,
                      created_at=past.starts_at + timedelta(minutes=15 + n)))
             for n, (a, t, b, s) in enumerate((
        (ali, "Bænke ved søen", "Bænke for hver 200 meter langs Sortedams Sø.", "go-on"),
        (birgit, "Flere træer på Nørrebrogade", "Træer i stedet for nogle af p-pladserne.", "scheduled"),
        (karim, "Fælles køkkenhave i gården", "Højbede som naboerne passer sammen.", "new"),
        (lene, "Cykelparkering med tag", "Overdækket parkering ved stationen.", "parked"),
    ))]
    add(Idea(project_id=project.id, phase_id=idea_phase.id, meeting_id=past.id, author_id=karim.id,
             agenda_item_id=asked.id, title="Flere bænke ved Sortedams Sø", merged_into_id=ideas[0].id,
             created_at=past.starts_at + timedelta(minutes=25)))
    ideas[0].agenda_item_id = chosen.id
    ideas[0].decision_note = "Mange stemmer. Vi går videre med bænkene."
    ideas[0].decided_by_id = mette.id
    ideas[0].decided_at = past.starts_at + timedelta(minutes=100)
    ideas[3].agenda_item_id = chosen.id
    ideas[3].decision_note = "Vi venter, til kommunens cykelplan er klar."
    ideas[3].decided_by_id = mette.id
    ideas[3].decided_at = past.starts_at + timedelta(minutes=105)
    vote = add(Vote(meeting_id=past.id, agenda_item_id=chosen.id, kind="dots", question="Hvilke idéer skal vi "
                    "arbejde videre med?", dots_per_person=3, status="closed", created_by_id=mette.id,
                    created_at=past.starts_at + timedelta(minutes=80),
                    revealed_at=past.starts_at + timedelta(minutes=90),
                    closed_at=past.starts_at + timedelta(minutes=95)))
    options = [add(VoteOption(vote_id=vote.id, idea_id=idea.id, label=idea.title, position=n))
               for n, idea in enumerate(ideas)]
    for voter, dots in ((ali, (2, 1, 0, 0)), (birgit, (1, 2, 0, 0)), (karim, (2, 0, 1, 0)), (lene, (1, 0, 0, 2))):
        add(Ballot(vote_id=vote.id, voter_id=voter.id,
                   choices={"dots": {str(o.id): d for o, d in zip(options, dots, strict=True) if d}}))
    agreement = add(Agreement(project_id=project.id, phase_id=idea_phase.id, meeting_id=past.id,
                              title="Bestil seks bænke til Sortedams Sø", owner_id=jonas.id,
                              deadline=today + timedelta(days=14), status="done", created_by_id=mette.id,
                              created_at=past.starts_at + timedelta(minutes=100),
                              description="Jonas bestiller bænkene hos Teknik- og Miljøforvaltningen."))
    add(AgreementIdea(agreement_id=agreement.id, idea_id=ideas[0].id))
    add(AgreementUpdate(agreement_id=agreement.id, author_id=jonas.id, body="Bænkene er bestilt.",
                        new_status="in-progress"))
    add(AgreementUpdate(agreement_id=agreement.id, author_id=jonas.id, body="Bænkene står ved søen.",
                        new_status="done"))
    add(Evaluation(agreement_id=agreement.id, user_id=ali.id, verdict="satisfied", comment="Dejligt!"))
    add(Evaluation(agreement_id=agreement.id, user_id=birgit.id, verdict="needs-more-work",
                   comment="Der mangler stadig bænke ved legepladsen."))
    return True
