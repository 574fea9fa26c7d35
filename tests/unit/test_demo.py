from sqlmodel import Session, select

from app.models import AgendaItem, Agreement, Idea, Meeting, Organisation, Phase, Project
from app.services.demo import load_demo
from tests.conftest import count


def test_demo_loads_a_project_in_motion_and_loading_twice_changes_nothing(session: Session) -> None:
    assert load_demo(session) is True
    project = session.exec(select(Project)).one()
    assert project.title == "Et grønnere Nørrebro"
    phases = session.exec(select(Phase).order_by(Phase.position)).all()
    assert [p.title for p in phases] == ["Idéfase", "Handlingsfase"]
    assert count(session, Meeting) >= 1 and count(session, AgendaItem) >= 3
    assert count(session, Idea) >= 3 and count(session, Agreement) == 1
    before = {m.__name__: count(session, m) for m in (Organisation, Project, Phase, Meeting, Idea, Agreement)}
    assert load_demo(session) is False
    after = {m.__name__: count(session, m) for m in (Organisation, Project, Phase, Meeting, Idea, Agreement)}
    assert before == after
