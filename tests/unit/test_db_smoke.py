from tests.factories import make_org, make_phase, make_project, make_user


def test_factories_build_a_project_on_every_database(session):
    admin = make_user(session, "Mette")
    org = make_org(session, admin=admin)
    project = make_project(session, org)
    phase = make_phase(session, project)
    assert phase.project_id == project.id
    assert project.created_at.tzinfo is not None
