"""The URL map of the co-creation process (phases, meetings, agendas, comments, materials,
timeline), spliced into ``app.web.routes``. Every POST is a form (CSRF token) that also answers
JSON when asked (``Accept: application/json``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.web import agenda, materials, meetings, phases, timeline

GET, GET_POST, POST = ["GET"], ["GET", "POST"], ["POST"]


def process_routes() -> list[BaseRoute]:
    return [
        # phases
        Route("/projects/{project_id:int}/phases", phases.index, name="phases", methods=GET),
        Route("/projects/{project_id:int}/phases/new", phases.create, name="phase_create", methods=POST),
        Route("/projects/{project_id:int}/phases/advance", phases.advance, name="phase_advance", methods=GET_POST),
        Route("/phases/{phase_id:int}", phases.show, name="phase", methods=GET),
        Route("/phases/{phase_id:int}/edit", phases.edit, name="phase_edit", methods=GET_POST),
        Route("/phases/{phase_id:int}/move", phases.move, name="phase_move", methods=POST),
        Route("/phases/{phase_id:int}/circle", phases.add_member, name="phase_circle_add", methods=POST),
        Route("/phases/{phase_id:int}/circle/{user_id:int}/remove", phases.remove_member,
              name="phase_circle_remove", methods=POST),
        # meetings and their agendas
        Route("/phases/{phase_id:int}/meetings", meetings.new, name="meeting_new", methods=GET_POST),
        Route("/meetings/{meeting_id:int}", meetings.show, name="meeting", methods=GET),
        Route("/meetings/{meeting_id:int}/minutes", meetings.minutes, name="meeting_minutes", methods=GET),
        Route("/meetings/{meeting_id:int}/edit", meetings.edit, name="meeting_edit", methods=GET_POST),
        Route("/meetings/{meeting_id:int}/carry-over", meetings.carry_over, name="meeting_carry_over",
              methods=GET_POST),
        Route("/meetings/{meeting_id:int}/agenda", agenda.add_item, name="agenda_add", methods=POST),
        Route("/meetings/{meeting_id:int}/agenda/order", agenda.reorder, name="agenda_order", methods=POST),
        Route("/meetings/{meeting_id:int}/proposals", agenda.propose, name="agenda_propose", methods=POST),
        Route("/agenda/{item_id:int}/edit", agenda.edit_item, name="agenda_edit", methods=GET_POST),
        Route("/agenda/{item_id:int}/move", agenda.move, name="agenda_move", methods=POST),
        Route("/agenda/{item_id:int}/remove", agenda.remove, name="agenda_remove", methods=POST),
        Route("/agenda/{item_id:int}/accept", agenda.accept, name="agenda_accept", methods=POST),
        Route("/agenda/{item_id:int}/decline", agenda.decline, name="agenda_decline", methods=POST),
        Route("/agenda/{item_id:int}/conclusion", agenda.conclusion, name="agenda_conclusion", methods=POST),
        Route("/agenda/{item_id:int}/comments", agenda.comment, name="agenda_comment", methods=POST),
        # comments
        Route("/comments/{comment_id:int}/edit", agenda.edit_comment, name="comment_edit", methods=GET_POST),
        Route("/comments/{comment_id:int}/hide", agenda.hide_comment, name="comment_hide", methods=POST),
        Route("/comments/{comment_id:int}/show", agenda.show_comment, name="comment_show", methods=POST),
        # the material bank
        Route("/projects/{project_id:int}/materials", materials.bank, name="materials", methods=GET),
        Route("/projects/{project_id:int}/materials", materials.add, name="material_add", methods=POST),
        Route("/materials/{material_id:int}/file", materials.file, name="material_file", methods=GET),
        Route("/materials/{material_id:int}/remove", materials.remove, name="material_remove", methods=POST),
        # the full history
        Route("/projects/{project_id:int}/timeline", timeline.index, name="timeline", methods=GET),
    ]
