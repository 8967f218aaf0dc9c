"""The API answers in Vietnamese by default and in the language the client asks for with Accept-Language."""

from tests.conftest import client_for


def test_api_answers_in_the_language_the_client_asks_for(world):
    client = client_for(world.staff_b)
    body = {"code": "12", "name_vi": "x", "field": ""}
    vietnamese = client.post("/api/v1/occupations/", body, format="json")
    english = client.post("/api/v1/occupations/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert vietnamese.status_code == english.status_code == 403
    assert vietnamese["Content-Language"] == "vi" and english["Content-Language"] == "en"
    assert "quyền" in vietnamese.json()["detail"] and "permission" in english.json()["detail"]


def test_public_site_keeps_its_url_language(client, db):
    # Accept-Language does not switch the unprefixed (Vietnamese) site: English lives under /en/.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "vi"
