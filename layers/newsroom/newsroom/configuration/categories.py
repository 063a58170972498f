"""Category names, descriptions and order, as ``site/categories.yaml`` sets them.

A category is a folder path such as ``("tin-tuc", "tin-vifotec")``. The
configuration names some of them and orders them among their siblings; any
other category still works, with a name made from its folder slug and a place
after the configured ones, alphabetically. Parsing and validation live in
``newsroom.configuration.site_yaml``; this module only answers questions about the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsroom.domain.article import humanize

CategoryPath = tuple[str, ...]
# One level of a sort key: (0, order, "") for a configured category, (1, 0, slug) otherwise.
SortLevel = tuple[int, int, str]


@dataclass(frozen=True)
class CategoryInfo:
    """One configured category: ``order`` is its position among its siblings."""

    path: CategoryPath
    name: str
    description: str = ""
    order: int = 0


@dataclass(frozen=True)
class Categories:
    """The configured categories (immutable, hashable, comparable by content)."""

    entries: tuple[CategoryInfo, ...] = ()
    _by_path: dict[CategoryPath, CategoryInfo] = field(init=False, repr=False, compare=False)
    _children: dict[CategoryPath, tuple[CategoryPath, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_path = {entry.path: entry for entry in self.entries}
        object.__setattr__(self, "_by_path", by_path)
        children: dict[CategoryPath, list[CategoryPath]] = {}
        for path in sorted(by_path, key=self.sort_key):
            children.setdefault(path[:-1], []).append(path)
        object.__setattr__(self, "_children", {parent: tuple(kids) for parent, kids in children.items()})

    def get(self, path: CategoryPath) -> CategoryInfo | None:
        """The configuration of ``path``, if it has one."""
        return self._by_path.get(tuple(path))

    def name(self, path: CategoryPath) -> str:
        """The configured name, else a readable one from the folder slug (``tin-tuc`` → ``Tin tuc``).

        The root (``()``) has no name: ``""``.
        """
        entry = self._by_path.get(tuple(path))
        if entry is not None:
            return entry.name
        return humanize(path[-1]) if path else ""

    def description(self, path: CategoryPath) -> str:
        """The configured description, or ``""``."""
        entry = self._by_path.get(tuple(path))
        return entry.description if entry is not None else ""

    def sort_key(self, path: CategoryPath) -> tuple[SortLevel, ...]:
        """Sort key for any category: configured ones first, in their configured order, then by slug.

        The key has one level per folder, so sorting a mix of depths gives the
        tree in reading order (each parent right before its children).
        """
        levels: list[SortLevel] = []
        for depth in range(1, len(path) + 1):
            entry = self._by_path.get(tuple(path[:depth]))
            levels.append((0, entry.order, "") if entry is not None else (1, 0, path[depth - 1]))
        return tuple(levels)

    def configured(self) -> tuple[CategoryPath, ...]:
        """Every configured category, parents before children, in configured order."""
        return tuple(sorted(self._by_path, key=self.sort_key))

    def children(self, path: CategoryPath = ()) -> tuple[CategoryPath, ...]:
        """The configured children of ``path`` in order (``()``: the top-level categories)."""
        return self._children.get(tuple(path), ())

    def __len__(self) -> int:
        return len(self._by_path)


NO_CATEGORIES = Categories()
