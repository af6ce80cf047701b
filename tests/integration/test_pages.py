"""The pages as a therapist and a nurse read them (HTML over HTTP; the browser tests cover touch and live)."""

from __future__ import annotations

import re

from tests.conftest import ALL_CLEAR, SIGNABLE, ready_session, text_of
from tests.factories import World


def client_id_in(html: str) -> str:
    match = re.search(r'name="client_id" value="([0-9a-f]+)"', html)
    assert match, "the score form carries a submission id"
    return match.group(1)


async def test_worklist_card_shows_room_availability_precautions_and_last_pain(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    await nurse.post(
        f"/patients/{world.patient_ids['ben']}/unavailable",
        data={"kind": "imaging", "until": "23:59", "note": "MRI"},
    )
    therapist = await sign_in_as("therapist")
    page = text_of((await therapist.get("/worklist")).text)
    assert "Ashby, Test" in page and "Allergies: Latex" in page and "Avoid left forearm (IV site)" in page
    assert "Unavailable: Imaging until 23:59 · MRI" in page
    assert page.index("Ashby, Test") < page.index("Brook, Test"), "available patients come first"
    assert "Noorder" not in page, "patients without an active order are not on the worklist"
    assert "Hollow" not in page, "patients on other units are not on the worklist"


async def test_patient_page_puts_precautions_before_the_order_and_history(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    page = text_of((await therapist.get(f"/patients/{world.patient_ids['ada']}")).text)
    assert (
        page.index("Precautions and sites to avoid")
        < page.index("Massage order")
        < page.index("Past sessions")
    )
    assert "MRN T-" in page and "DOB" in page
    assert "Level 2 of 5 on the Walton scale" in page


async def test_session_flow_through_forms_with_a_clear_error_for_a_bad_score(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ada"]
    started = await therapist.post(f"/patients/{patient}/sessions")
    assert started.status_code == 303
    session_url = started.headers["location"]
    page = (await therapist.get(session_url)).text
    assert "Screen for contraindications" in page and page.count('class="choice choice-stop"') == 7
    screened = await therapist.post(
        f"{session_url}/screening",
        htmx=True,
        data={"patient_id": patient, **{f"screen_{k}": v for k, v in ALL_CLEAR.items()}},
    )
    assert "Patient agreed (verbal)" in screened.text
    consented = await therapist.post(
        f"{session_url}/consent", htmx=True, data={"patient_id": patient, "by": "patient"}
    )
    page = consented.text
    assert "Pain before the massage" in page and page.count('class="btn btn-score"') == 11

    bad = await therapist.post(
        f"{session_url}/scores",
        htmx=True,
        data={"client_id": client_id_in(page), "patient_id": patient, "phase": "pre", "value": "12"},
    )
    assert bad.status_code == 422
    assert bad.headers["HX-Retarget"] == "#messages"
    assert "12 is not a pain score" in text_of(bad.text)

    pre = await therapist.post(
        f"{session_url}/scores",
        htmx=True,
        data={"client_id": client_id_in(page), "patient_id": patient, "phase": "pre", "value": "6"},
    )
    assert pre.status_code == 200 and "Massage in progress" in pre.text and 'data-running="true"' in pre.text
    finished = await therapist.post(f"{session_url}/finish", htmx=True, data={"patient_id": patient})
    assert "Pain after the massage" in finished.text
    post = await therapist.post(
        f"{session_url}/scores",
        htmx=True,
        data={"client_id": client_id_in(finished.text), "patient_id": patient, "phase": "post", "value": "2"},
    )
    assert "Chart and sign" in post.text and "Body map, front and back" in post.text
    done = await therapist.post(f"{session_url}/sign", htmx=True, data={"patient_id": patient, **SIGNABLE})
    assert "Session completed and signed" in text_of(done.text)
    assert "Swedish" in text_of(done.text) and "side-lying" in text_of(done.text)

    history = text_of((await therapist.get(f"/patients/{patient}")).text)
    assert "completed 6 2" in history


async def test_missing_score_value_without_javascript_shows_an_error_page(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    session_url = f"/sessions/{session_id}"
    page = (await therapist.get(session_url)).text
    response = await therapist.post(
        f"{session_url}/scores", data={"client_id": client_id_in(page), "phase": "pre", "value": ""}
    )
    assert response.status_code == 422
    assert "Choose a pain score" in text_of(response.text) and "Nothing was changed" in response.text


async def test_nurse_board_marks_unavailable_and_available_in_one_tap_each(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    board = (await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text
    assert f'id="board-row-{patient}"' in board and 'value="clinically_unstable"' in board
    flagged = await nurse.post(
        f"/patients/{patient}/unavailable", htmx=True, data={"kind": "clinically_unstable"}
    )
    assert "Unavailable: Clinically unstable" in text_of(flagged.text) and "Mark available" in flagged.text
    cleared = await nurse.post(f"/patients/{patient}/available", htmx=True)
    assert "Available" in text_of(cleared.text) and "Mark unavailable for" in text_of(cleared.text)


async def test_bad_until_time_is_refused_on_the_board(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    response = await nurse.post(
        f"/patients/{world.patient_ids['ben']}/unavailable",
        htmx=True,
        data={"kind": "imaging", "until": "half past"},
    )
    assert response.status_code == 422 and "is not a time" in response.text


async def test_hospice_sees_comfort_care_patients_read_only(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice = await sign_in_as("hospice")
    page = await hospice.get("/comfort-care")
    assert page.status_code == 200
    assert "Start session" not in (await hospice.get(f"/patients/{world.patient_ids['ada']}")).text


async def test_downtime_worklist_prints_identifiers_rooms_availability_and_sites_to_avoid(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    await nurse.post(f"/patients/{world.patient_ids['ben']}/unavailable", data={"kind": "dialysis"})
    assert "Print downtime worklist" in (await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text
    printed = text_of((await nurse.get(f"/units/{world.unit_ids['4W']}/board/print")).text)
    assert "Downtime worklist · 4 West Oncology" in printed
    assert re.search(r"Ashby, Test DOB \d\d \w{3} 1950 MRN T-\d+", printed)
    assert "Avoid left forearm (IV site)" in printed
    assert "Allergies: Latex" in printed and "Unavailable: Dialysis" in printed
    assert "Hollow" not in printed, "only this unit's patients"
    hospice = await sign_in_as("hospice")
    assert (await hospice.get(f"/units/{world.unit_ids['4W']}/board/print")).status_code == 403
