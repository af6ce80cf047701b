"""The OpenAPI document and its page: served from our own files, and truthful about media types."""

from __future__ import annotations

import re

from tests.factories import World


async def test_the_schema_page_loads_only_our_own_scripts_and_styles(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    page = await nurse.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert "<style" not in page.text and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert "http://" not in page.text and "https://" not in page.text, "no CDN"
    for source in sources:
        served = await nurse.get(source)
        assert served.status_code == 200, source
    assert any(s.startswith("/static/vendor/swagger-ui/") and s.endswith(".js") for s in sources)


async def test_the_schema_is_for_signed_in_people_only(client, world: World) -> None:  # type: ignore[no-untyped-def]
    for url in ("/schema", "/schema/openapi.json"):
        response = await client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin"


async def test_the_document_states_each_route_s_media_type_and_error_shape(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice = await sign_in_as("hospice")
    document = (await hospice.get("/schema/openapi.json")).json()
    assert document["info"]["title"] == "Bedside"
    paths = document["paths"]

    def success(path: str, method: str = "get") -> list[str]:
        responses = paths[path][method]["responses"]
        return list(responses[min(responses)].get("content", {}))

    assert success("/comfort-care/{patient_id}/log.csv") == ["text/csv"]
    assert success("/comfort-care/{patient_id}/log.pdf") == ["application/pdf"]
    assert success("/admin/audit/audit.csv") == ["text/csv"]
    assert success("/comfort-care/{patient_id}") == ["text/html"]
    assert success("/sessions/{session_id}/stop", "post") == ["text/html"]
    assert success("/api/sessions/{session_id}") == ["application/json"]
    score = paths["/api/sessions/{session_id}/scores"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409", "422"} <= set(score)
    error = score["409"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ApiError"}
    shape = document["components"]["schemas"]["ApiError"]
    assert set(shape["properties"]) == {"status_code", "detail"}
    page_refusal = paths["/patients/{patient_id}"]["get"]["responses"]["404"]
    assert list(page_refusal["content"]) == ["text/html"]
