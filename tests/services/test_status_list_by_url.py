"""A status list given by the operator is found by the URL the credential names: the URL it
was given for (``verify --status-list URL=FILE``, stored documents), not only its own id."""

from __future__ import annotations

import pytest

from diploma_exchange.errors import Error
from diploma_exchange.services.lookups import LayeredStatusLists

NAMED = "https://raw.githubusercontent.com/org/repo/main/status/list1"
OWN_ID = "https://testing.example.org/status/list1"
LIST = {"id": OWN_ID, "type": ["VerifiableCredential", "BitstringStatusListCredential"]}


def test_a_list_given_for_a_url_is_found_by_that_url() -> None:
    lists = LayeredStatusLists((), given_by_url={NAMED: LIST})
    assert lists.get(NAMED) is LIST
    assert lists.get(f"{NAMED}#7") is LIST  # an entry's fragment is not part of the list URL
    with pytest.raises(Error):
        lists.get(OWN_ID)  # given for NAMED only


def test_a_list_given_as_a_file_is_found_by_its_id() -> None:
    lists = LayeredStatusLists([LIST])
    assert lists.get(OWN_ID) is LIST
    with pytest.raises(Error) as caught:
        lists.get(NAMED)
    assert caught.value.code == "status-list-unavailable"
