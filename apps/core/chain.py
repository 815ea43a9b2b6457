"""A record's chain: where it came from and everything that followed, across all five kinds.

"Caused by" links are directed (source was caused by target), so a chain is walked up to its
origins, then down from them. Each step reads one level of links in one query and each kind's
records in one query, so a page costs a few queries however long the chain. A chain may
branch and join (a call caused by an outage and by a failure report); each record shows once.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .choices import LinkRelation, Status
from .models import LogRecord, RecordLink

Key = tuple[int, int]  # (content type id, record id)

# Far beyond any real chain; bounds the work if links ever form a very long path.
MAX_DEPTH = 12
MAX_RECORDS = 500


@dataclass
class ChainNode:
    record: LogRecord
    depth: int
    is_current: bool
    children: list["ChainNode"] = field(default_factory=list)


@dataclass
class Chain:
    rows: list[ChainNode]  # depth-first order, for an indented list
    led_to: Counter  # model → how many records the current one led to, directly or not
    truncated: bool = False

    @property
    def has_relatives(self) -> bool:
        return len(self.rows) > 1


def _key(record: LogRecord) -> Key:
    return ContentType.objects.get_for_model(record).pk, record.pk


def _links_touching(keys: set[Key], *, as_source: bool) -> list[RecordLink]:
    side = "source" if as_source else "target"
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_id, object_id in keys:
        by_type[type_id].append(object_id)
    query = Q()
    for type_id, ids in by_type.items():
        query |= Q(**{f"{side}_type_id": type_id, f"{side}_id__in": ids})
    return list(
        RecordLink.objects.filter(query, relation=LinkRelation.CAUSED_BY).order_by("created_at")
    )


def _origins(start: Key) -> tuple[set[Key], bool]:
    """The records at the top of `start`'s chain (those caused by nothing), walking up."""
    seen, frontier, roots = {start}, {start}, set()
    for _ in range(MAX_DEPTH):
        if not frontier:
            return roots, False
        parents: dict[Key, set[Key]] = defaultdict(set)
        for link in _links_touching(frontier, as_source=True):
            parents[(link.source_type_id, link.source_id)].add(
                (link.target_type_id, link.target_id)
            )
        roots |= {key for key in frontier if not parents[key]}
        frontier = {parent for found in parents.values() for parent in found} - seen
        seen |= frontier
    return roots or {start}, bool(frontier)


def _descendants(roots: set[Key]) -> tuple[dict[Key, list[Key]], bool]:
    """Parent → children of everything below `roots`, each record reached once."""
    children: dict[Key, list[Key]] = defaultdict(list)
    seen, frontier = set(roots), set(roots)
    for _ in range(MAX_DEPTH):
        if not frontier or len(seen) >= MAX_RECORDS:
            break
        found = set()
        for link in _links_touching(frontier, as_source=False):
            child = (link.source_type_id, link.source_id)
            if child in seen:
                continue
            children[(link.target_type_id, link.target_id)].append(child)
            seen.add(child)
            found.add(child)
        frontier = found
    return children, bool(frontier)


def _load(keys: set[Key], user) -> dict[Key, LogRecord]:
    """The records behind `keys` that `user` may see, one query per kind."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_id, object_id in keys:
        by_type[type_id].append(object_id)
    records = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for record in model.objects.for_user(user).filter(pk__in=ids).select_related("client"):
            records[(type_id, record.pk)] = record
    return records


def record_chain(record: LogRecord, user) -> Chain:
    """The chain around `record` as `user` may see it, origins first."""
    current = _key(record)
    roots, cut_above = _origins(current)
    children, cut_below = _descendants(roots)
    keys = set(roots) | set(children) | {c for kids in children.values() for c in kids}
    records = _load(keys, user)
    records[current] = record

    rows: list[ChainNode] = []

    def visit(key: Key, depth: int) -> ChainNode | None:
        if key not in records:
            return None
        node = ChainNode(records[key], depth, key == current)
        rows.append(node)
        for child in children.get(key, []):
            child_node = visit(child, depth + 1)
            if child_node is not None:
                node.children.append(child_node)
        return node

    for root in sorted((key for key in roots if key in records), key=_by_time(records)):
        visit(root, 0)
    led_to = _led_to(current, children, records)
    return Chain(rows=rows, led_to=led_to, truncated=cut_above or cut_below)


def _by_time(records):
    return lambda key: (records[key].occurred_at, key)


def _led_to(current: Key, children: dict[Key, list[Key]], records) -> Counter:
    counts: Counter = Counter()
    stack, seen = list(children.get(current, [])), set()
    while stack:
        key = stack.pop()
        if key in seen or key not in records:
            continue
        seen.add(key)
        counts[type(records[key])] += 1
        stack.extend(children.get(key, []))
    return counts


def caused_by_descends_from(record: LogRecord, ancestor: LogRecord) -> bool:
    """Whether `record` follows from `ancestor` through "caused by" links (or is it)."""
    start, wanted = _key(ancestor), _key(record)
    if start == wanted:
        return True
    children, _ = _descendants({start})
    return any(wanted in kids for kids in children.values())


def open_records_caused_by(record: LogRecord) -> list[LogRecord]:
    """Records directly caused by `record` that are still open (they hold its closing)."""
    children = _links_touching({_key(record)}, as_source=False)
    by_type: dict[int, list[int]] = defaultdict(list)
    for link in children:
        by_type[link.source_type_id].append(link.source_id)
    found = []
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        found += model.objects.filter(pk__in=ids, status__in=Status.open_values()).only(
            "reference", "status"
        )
    return sorted(found, key=lambda other: other.reference)
