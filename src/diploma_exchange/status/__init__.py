"""W3C Bitstring Status List v1.0: bitstrings, status entries, list credentials, allocation.

Domain core: no web framework, database or settings. Fetching a status list and verifying
its proof are the caller's; this package parses, decodes (safely) and reads them.
"""

from diploma_exchange.status.allocation import pick_free_indexes
from diploma_exchange.status.bitstring import (
    DEFAULT_MAX_COMPRESSED_BYTES,
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    MIN_BITSTRING_LENGTH,
    Bitstring,
    decode_list,
    encode_list,
)
from diploma_exchange.status.entries import (
    ENTRY_TYPE,
    KNOWN_PURPOSES,
    ParsedStatusEntries,
    StatusEntry,
    StatusMessage,
    UnknownStatus,
    make_status_entry,
    parse_status_entries,
)
from diploma_exchange.status.errors import StatusErrorCode, StatusListFull, StatusRangeError
from diploma_exchange.status.list_credential import (
    LIST_CREDENTIAL_TYPE,
    MIN_ENTRIES,
    StatusList,
    StatusResult,
    build_status_list_credential,
    check_status,
    parse_status_list_credential,
)

__all__ = [
    "DEFAULT_MAX_COMPRESSED_BYTES",
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "ENTRY_TYPE",
    "KNOWN_PURPOSES",
    "LIST_CREDENTIAL_TYPE",
    "MIN_BITSTRING_LENGTH",
    "MIN_ENTRIES",
    "Bitstring",
    "ParsedStatusEntries",
    "StatusEntry",
    "StatusErrorCode",
    "StatusList",
    "StatusListFull",
    "StatusMessage",
    "StatusRangeError",
    "StatusResult",
    "UnknownStatus",
    "build_status_list_credential",
    "check_status",
    "decode_list",
    "encode_list",
    "make_status_entry",
    "parse_status_entries",
    "parse_status_list_credential",
    "pick_free_indexes",
]
