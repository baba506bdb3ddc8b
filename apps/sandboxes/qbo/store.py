"""The company held in memory: one table per entity type, indexes, persistence to its directory."""

from __future__ import annotations

import copy
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import wirejson
from .clock import qbo_now, qbo_stamp, to_epoch
from .errors import SandboxLoadError, query_validation_error
from .query import Query, make_predicate, resolve, sort_key
from .rates import rate_key
from .wirejson import raw_list, raw_object

# Entity types QBO's v3 API knows. A company file for anything else stops the sandbox with an
# error naming the file (a file it cannot serve is never skipped silently).
KNOWN_ENTITIES = (
    "Account",
    "Attachable",
    "Bill",
    "BillPayment",
    "Budget",
    "Class",
    "CompanyCurrency",
    "CompanyInfo",
    "CreditCardPayment",
    "CreditMemo",
    "Currency",
    "Customer",
    "CustomerType",
    "Department",
    "Deposit",
    "Employee",
    "Entitlements",
    "Estimate",
    "ExchangeRate",
    "InventoryAdjustment",
    "Invoice",
    "Item",
    "JournalCode",
    "JournalEntry",
    "Payment",
    "PaymentMethod",
    "Preferences",
    "Purchase",
    "PurchaseOrder",
    "RecurringTransaction",
    "RefundReceipt",
    "ReimburseCharge",
    "SalesReceipt",
    "Tag",
    "TaxAgency",
    "TaxClassification",
    "TaxCode",
    "TaxPayment",
    "TaxRate",
    "TaxService",
    "Term",
    "TimeActivity",
    "Transfer",
    "Vendor",
    "VendorCredit",
)
SINGLETONS = ("CompanyInfo", "Preferences")
# QBO wraps these under another key than their query name in every response (read, write,
# query, CDC); their company file uses the query name (`CreditCardPayment.json`).
RESPONSE_KEYS = {"CreditCardPayment": "CreditCardPaymentTxn"}
# Entities whose objects have no Id: how the store keys them.
ID_LESS = {"ExchangeRate": rate_key}


def wire_key(entity: str) -> str:
    """The key an entity travels under in QBO's responses."""
    return RESPONSE_KEYS.get(entity, entity)
STATE_FILE = "_sandbox_state.json"
CDC_LIMIT = 1000
QUERY_CACHE_SIZE = 64


class EntityTable:
    """Objects of one entity type by Id, with cached wire JSON and update instants."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.objects: dict[str, dict] = {}
        self.wire: dict[str, str] = {}
        # Other renderings of an object's JSON (e.g. an invoice with its pay link), by key,
        # dropped with `wire` when the object changes.
        self.derived: dict[str, dict[Any, str]] = {}
        self.updated: dict[str, float] = {}
        self.version = 0
        self.file_extra: dict[str, Any] = {}

    def put(self, key: str, obj: dict) -> None:
        self.objects[key] = obj
        self.wire.pop(key, None)
        self.derived.pop(key, None)
        self.updated[key] = _updated_epoch(obj)
        self.version += 1

    def remove(self, key: str) -> dict | None:
        obj = self.objects.pop(key, None)
        self.wire.pop(key, None)
        self.derived.pop(key, None)
        self.updated.pop(key, None)
        self.version += 1
        return obj

    def warm(self) -> None:
        """Encode every object's wire JSON now rather than on its first read."""
        for key in self.objects:
            self.json_of(key)

    def json_of(self, key: str) -> str:
        text = self.wire.get(key)
        if text is None:
            text = wirejson.dumps(self.objects[key])
            self.wire[key] = text
        return text


def _updated_epoch(obj: dict) -> float:
    meta = obj.get("MetaData") or {}
    stamp = meta.get("LastUpdatedTime") or meta.get("CreateTime")
    return (to_epoch(stamp) or 0.0) if isinstance(stamp, str) else 0.0


def _id_order(key: str) -> tuple:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


class CompanyStore:
    """Thread-safe in-memory company; every public method takes the store lock."""

    def __init__(self, directory: str | os.PathLike, persist: bool = True) -> None:
        self.directory = Path(directory)
        self.persist = persist
        self.lock = threading.RLock()
        self.tables: dict[str, EntityTable] = {}
        self.tombstones: dict[str, dict[str, float]] = {}
        self.next_id = 1
        self.dirty: set[str] = set()
        self.state_dirty = False
        self.extra_state: dict[str, Any] = {}
        self._query_cache: OrderedDict[tuple, tuple[int, list[str]]] = OrderedDict()
        self.on_dirty: Callable[[], None] = lambda: None
        self._load()

    def warm(self) -> None:
        """Every object's wire JSON encoded up front: Intuit's servers answer a first full
        read as fast as a later one, and the sandbox's one-off encoding (seconds for a large
        company) would otherwise be charged to the first sync that reads it."""
        with self.lock:
            for table in self.tables.values():
                table.warm()

    # --- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.directory.is_dir():
            raise SandboxLoadError(f"{self.directory}: company directory does not exist")
        highest = 0
        for path in sorted(self.directory.iterdir()):
            if path.name.startswith(("_", ".")):
                continue  # the sandbox's own state, attachments and temporary files
            if path.suffix.lower() != ".json" or not path.is_file():
                raise SandboxLoadError(
                    f"{path}: not a company file (a company directory holds one "
                    "<Entity>.json per QBO entity type)"
                )
            table = self._load_file(path)
            if table.name in self.tables:
                raise SandboxLoadError(f"{path}: entity {table.name} is defined twice")
            self.tables[table.name] = table
            for key in table.objects:
                if key.isdigit():
                    highest = max(highest, int(key))
        state_path = self.directory / STATE_FILE
        if state_path.exists():
            try:
                state = json.loads(state_path.read_text("utf-8"))
            except (ValueError, OSError) as exc:
                raise SandboxLoadError(f"{state_path}: unreadable sandbox state: {exc}") from exc
            self.tombstones = state.pop("tombstones", {}) or {}
            highest = max(highest, int(state.pop("last_id", 0) or 0))
            self.extra_state = state
        self.next_id = highest + 1

    def _load_file(self, path: Path) -> EntityTable:
        try:
            data = wirejson.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise SandboxLoadError(f"{path}: not valid JSON: {exc}") from exc
        except OSError as exc:
            raise SandboxLoadError(f"{path}: cannot read: {exc}") from exc
        if isinstance(data, dict) and isinstance(data.get("QueryResponse"), dict):
            data = {k: v for k, v in data["QueryResponse"].items() if isinstance(v, list)}
        if not isinstance(data, dict):
            raise SandboxLoadError(f'{path}: expected an object {{"{path.stem}": [...]}}')
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        name = next((e for e in KNOWN_ENTITIES if e.lower() == path.stem.lower()), None)
        if name is None:
            raise SandboxLoadError(
                f"{path}: {path.stem} is not a QBO entity type this sandbox can serve "
                f"(known: {', '.join(KNOWN_ENTITIES)})"
            )
        keys = [k for k in lists if k.lower() in (name.lower(), wire_key(name).lower())]
        if not keys:
            raise SandboxLoadError(
                f'{path}: expected a top-level key "{name}" holding a list of objects'
            )
        file_key = keys[0]
        table = EntityTable(name)
        table.file_extra = {k: v for k, v in data.items() if k != file_key}
        for index, obj in enumerate(lists[file_key]):
            if not isinstance(obj, dict):
                raise SandboxLoadError(f"{path}: item {index} of {name} is not an object")
            raw_id = obj.get("Id")
            if name in ID_LESS:
                key = ID_LESS[name](obj)
                if key is None:
                    raise SandboxLoadError(
                        f"{path}: item {index} of {name} lacks SourceCurrencyCode, "
                        "TargetCurrencyCode or AsOfDate"
                    )
            elif raw_id is None:
                if name not in SINGLETONS:
                    raise SandboxLoadError(f"{path}: item {index} of {name} has no Id")
                key = f"_{index}"
            else:
                key = str(raw_id)
            if key in table.objects:
                raise SandboxLoadError(f"{path}: duplicate {name} {key}")
            table.objects[key] = obj
            table.updated[key] = _updated_epoch(obj)
        return table

    # --- lookups ------------------------------------------------------------------------
    def canonical(self, name: str) -> str | None:
        lowered = name.lower()
        for entity, key in RESPONSE_KEYS.items():
            if key.lower() == lowered:
                return entity
        for candidate in list(self.tables) + list(KNOWN_ENTITIES):
            if candidate.lower() == lowered:
                return candidate
        return None

    def table(self, name: str) -> EntityTable:
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = EntityTable(name)
        return table

    def get(self, entity: str, key: str) -> dict | None:
        with self.lock:
            table = self.tables.get(entity)
            return table.objects.get(key) if table else None

    def get_copy(self, entity: str, key: str) -> dict | None:
        obj = self.get(entity, key)
        return copy.deepcopy(obj) if obj is not None else None

    def first(self, entity: str) -> dict | None:
        with self.lock:
            table = self.tables.get(entity)
            if not table or not table.objects:
                return None
            return next(iter(table.objects.values()))

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {name: len(t.objects) for name, t in sorted(self.tables.items())}

    def allocate_id(self) -> str:
        with self.lock:
            value = self.next_id
            self.next_id += 1
            self.state_dirty = True
            return str(value)

    # --- writes (called by writes.py under the lock) -------------------------------------
    def save(self, entity: str, obj: dict) -> None:
        with self.lock:
            self.table(entity).put(str(obj["Id"]), obj)
            self.tombstones.get(entity, {}).pop(str(obj["Id"]), None)
            self._mark(entity)

    def put_keyed(self, entity: str, key: str, obj: dict) -> None:
        """Save an object that has no Id (ExchangeRate) under its own key."""
        with self.lock:
            self.table(entity).put(key, obj)
            self._mark(entity)

    def delete(self, entity: str, key: str, epoch: float) -> dict | None:
        with self.lock:
            obj = self.table(entity).remove(key)
            self.tombstones.setdefault(entity, {})[key] = epoch
            self.state_dirty = True
            self._mark(entity)
            return obj

    def _mark(self, entity: str) -> None:
        self.dirty.add(entity)
        self.on_dirty()

    # --- query --------------------------------------------------------------------------
    def run_query(self, query: Query,
                  text_of: Callable[[EntityTable, str], str] | None = None) -> str:
        """The QueryResponse body (without the envelope's `time`) as JSON text; ``text_of``
        renders an object instead of its plain wire JSON."""
        entity = self.canonical(query.entity)
        if entity is None:
            raise query_validation_error(f"Invalid entity {query.entity!r}")
        with self.lock:
            table = self.tables.get(entity)
            keys = self._matching_keys(table, query) if table else []
            if query.count:
                return raw_object(("totalCount", str(len(keys))))
            page = keys[query.start - 1 : query.start - 1 + query.max_results]
            if not page:
                return "{}"
            if query.fields:
                paths = [tuple(f.split(".")) for f in query.fields]
                items = [wirejson.dumps(_project(table.objects[k], paths)) for k in page]
            else:
                render = text_of or EntityTable.json_of
                items = [render(table, k) for k in page]
        return raw_object(
            (wire_key(entity), raw_list(items)),
            ("startPosition", str(query.start)),
            ("maxResults", str(len(page))),
        )

    def _matching_keys(self, table: EntityTable, query: Query) -> list[str]:
        where, order = query.where, query.order
        if (
            len(where) == 1
            and not order
            and where[0].op == "="
            and [p.lower() for p in where[0].path] == ["id"]
        ):
            key = str(where[0].value)
            return [key] if key in table.objects else []
        cache_key = (table.name, where, order)
        cached = self._query_cache.get(cache_key)
        if cached and cached[0] == table.version:
            self._query_cache.move_to_end(cache_key)
            return cached[1]
        if where:
            predicate = make_predicate(where)
            keys = [k for k, obj in table.objects.items() if predicate(obj)]
        else:
            keys = list(table.objects)
        keys.sort(key=_id_order)
        for path, descending in reversed(order):  # stable sorts, last key first
            keys.sort(key=lambda k: sort_key(resolve(table.objects[k], path)), reverse=descending)
        self._query_cache[cache_key] = (table.version, keys)
        if len(self._query_cache) > QUERY_CACHE_SIZE:
            self._query_cache.popitem(last=False)
        return keys

    # --- change data capture ------------------------------------------------------------
    def changes_since(self, entities: list[str], since: float) -> str:
        """CDCResponse body text: objects changed at or after `since` (whole seconds)."""
        since = float(int(since))
        found: list[tuple[float, str, str, bool]] = []
        with self.lock:
            for entity in entities:
                table = self.tables.get(entity)
                if table:
                    found.extend(
                        (t, entity, k, False) for k, t in table.updated.items() if t >= since
                    )
                found.extend(
                    (t, entity, k, True)
                    for k, t in self.tombstones.get(entity, {}).items()
                    if t >= since
                )
            found.sort(key=lambda item: item[0])
            # QBO caps a response at 1,000 objects without saying which; the sandbox keeps the
            # *newest* ones, the case that breaks a client assuming it got the oldest.
            found = found[-CDC_LIMIT:]
            grouped: dict[str, list[str]] = {}
            for epoch, entity, key, deleted in found:
                if deleted:
                    text = wirejson.dumps(
                        {
                            "domain": "QBO",
                            "status": "Deleted",
                            "Id": key,
                            "MetaData": {"LastUpdatedTime": _stamp(epoch)},
                        }
                    )
                else:
                    text = self.tables[entity].json_of(key)
                grouped.setdefault(entity, []).append(text)
        parts = [
            raw_object(
                (wire_key(name), raw_list(items)),
                ("startPosition", "1"),
                ("maxResults", str(len(items))),
            )
            for name, items in grouped.items()
        ]
        return raw_object(
            ("CDCResponse", raw_list([raw_object(("QueryResponse", raw_list(parts or ["{}"])))])),
            ("time", json.dumps(qbo_now())),
        )

    # --- persistence --------------------------------------------------------------------
    def flush(self, state_extra: dict[str, Any] | None = None, force_state: bool = False) -> None:
        """Write dirty entity files (and the state file, with `state_extra`) atomically."""
        if not self.persist:
            return
        with self.lock:
            snapshots = []
            for name in sorted(self.dirty):
                table = self.tables[name]
                items = [table.json_of(k) for k in table.objects]
                extra = wirejson.dumps(table.file_extra)[1:-1] if table.file_extra else ""
                snapshots.append((name, items, extra))
            self.dirty.clear()
            state = None
            if self.state_dirty or force_state:
                state = {"tombstones": self.tombstones, "last_id": self.next_id - 1}
                state.update(self.extra_state)
                state.update(state_extra or {})
                self.extra_state.update(state_extra or {})
                state = json.dumps(state, indent=1, sort_keys=True)
                self.state_dirty = False
        for name, items, extra in snapshots:
            body = (
                raw_object((name, "[\n" + ",\n".join(items) + "\n]"))[:-1]
                + ("," + extra if extra else "")
                + "}\n"
            )
            _atomic_write(self.directory / f"{name}.json", body)
        if state is not None:
            _atomic_write(self.directory / STATE_FILE, state)


def _project(obj: dict, paths: list[tuple[str, ...]]) -> dict:
    out: dict[str, Any] = {}
    for path in paths:
        for key in obj:
            if key.lower() == path[0].lower():
                out[key] = obj[key]
    return out


def _stamp(epoch: float) -> str:
    return qbo_stamp(epoch)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}.{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
