"""Does an SQL statement name the school of every school-scoped table it reads or writes?

Sharded by school (Citus, distributed on `school_id`), a statement that constrains each distributed
table's `school_id` runs on one shard; one that does not runs on every shard. This module reads a
statement with sqlglot and answers which tables it leaves unconstrained. Pure: no Flask, no session.

A table (or its alias) is constrained in a SELECT, UPDATE or DELETE when a condition that must hold
(a conjunct of WHERE, or of a join's ON) is
- `t.school_id = <value>` or `t.school_id IN (<values>)`, a value being a bound parameter or literal;
- or `t.school_id = u.school_id` with `u` constrained (in the same query or, correlated, an
  enclosing one), as the composite (school_id, id) keys give;
- for a derived table (a subquery in FROM, or a common table expression), its `school_id` column
  counts as constrained when every school-scoped table inside it is.
An INSERT is constrained when it lists `school_id` among its columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}


@dataclass(frozen=True)
class Offence:
    table: str
    statement: str


def _conjuncts(condition: exp.Expression | None) -> list[exp.Expression]:
    if condition is None:
        return []
    condition = condition.unnest()
    if isinstance(condition, exp.And):
        return _conjuncts(condition.left) + _conjuncts(condition.right)
    return [condition]


def _arg(node: exp.Expression, name: str):
    """sqlglot spells the keyword-named parts `from_` and `with_` in newer versions."""
    return node.args.get(f"{name}_") or node.args.get(name)


def _is_value(node: exp.Expression) -> bool:
    node = node.unnest()
    if isinstance(node, (exp.Placeholder, exp.Literal, exp.Parameter)):
        return True
    if isinstance(node, exp.Cast):
        return _is_value(node.this)
    return False


class _Scope:
    """One SELECT (or UPDATE/DELETE): the tables and derived tables it reads, by alias."""

    def __init__(self, node: exp.Expression, parent: _Scope | None):
        self.node, self.parent = node, parent
        self.tables: dict[str, str] = {}  # alias -> real table name
        self.derived: dict[str, exp.Expression] = {}  # alias -> the query it names
        self.conditions: list[exp.Expression] = []

    def resolve(self, qualifier: str) -> tuple[_Scope, str] | None:
        scope = self
        while scope is not None:
            if qualifier in scope.tables or qualifier in scope.derived:
                return scope, qualifier
            scope = scope.parent
        return None


class Checker:
    def __init__(self, scoped_tables: set[str], dialect: str = "sqlite"):
        self.scoped = scoped_tables
        self.dialect = DIALECTS.get(dialect, dialect)

    def offences(self, statement: str) -> list[Offence]:
        """The school-scoped tables `statement` reads or writes without naming their school."""
        try:
            trees = sqlglot.parse(statement, read=self.dialect)
        except sqlglot.errors.ParseError:
            return [Offence("(unreadable)", statement)]
        found: list[Offence] = []
        for tree in trees:
            if tree is None:
                continue
            for table in self._unconstrained(tree):
                found.append(Offence(table, statement))
        return sorted(set(found), key=lambda o: o.table)

    # -- the walk -----------------------------------------------------------------------------

    def _unconstrained(self, tree: exp.Expression) -> list[str]:
        if isinstance(tree, exp.Insert):
            missing = []
            target = tree.this
            table = target.this if isinstance(target, exp.Schema) else target
            columns = {c.name for c in target.expressions} if isinstance(target, exp.Schema) else set()
            if isinstance(table, exp.Table) and table.name in self.scoped and "school_id" not in columns:
                missing.append(table.name)
            query = tree.expression
            if isinstance(query, (exp.Select, exp.SetOperation)):
                missing += self._unconstrained_query(query, None, {})
            return missing
        if isinstance(tree, (exp.Select, exp.SetOperation, exp.Update, exp.Delete)):
            return self._unconstrained_query(tree, None, {})
        return []  # PRAGMA, SAVEPOINT, DDL: no rows of a school

    def _ctes(self, node: exp.Expression, ctes: dict[str, exp.Expression]) -> dict[str, exp.Expression]:
        with_ = _arg(node, "with")
        if not with_:
            return ctes
        ctes = dict(ctes)
        for cte in with_.expressions:
            ctes[cte.alias_or_name] = cte.this
        return ctes

    def _unconstrained_query(self, node: exp.Expression, parent: _Scope | None,
                             ctes: dict[str, exp.Expression]) -> list[str]:
        ctes = self._ctes(node, ctes)
        missing: list[str] = []
        for cte in ctes.values():
            if cte.parent is not None and cte.parent.parent is _arg(node, "with"):
                missing += self._unconstrained_query(cte, parent, ctes)
        if isinstance(node, exp.SetOperation):
            return missing + self._unconstrained_query(node.left, parent, ctes) + \
                self._unconstrained_query(node.right, parent, ctes)
        scope = self._scope(node, parent, ctes)
        constrained = self._constrained(scope, ctes)
        for alias, table in scope.tables.items():
            if table in self.scoped and (scope, alias) not in constrained:
                missing.append(table)
        # Nested queries: in FROM (derived), in conditions and select lists (correlated or not).
        for nested in node.find_all(exp.Select, exp.SetOperation):
            if nested is node or not self._directly_nested(nested, node):
                continue
            if any(nested is d for d in scope.derived.values()):
                missing += self._unconstrained_query(nested, parent, ctes)
            else:
                missing += self._unconstrained_query(nested, scope, ctes)
        return missing

    def _directly_nested(self, nested: exp.Expression, root: exp.Expression) -> bool:
        parent = nested.parent
        while parent is not None and parent is not root:
            if isinstance(parent, (exp.Select, exp.SetOperation, exp.Update, exp.Delete, exp.CTE)):
                return False
            parent = parent.parent
        return parent is root

    def _scope(self, node: exp.Expression, parent: _Scope | None, ctes: dict[str, exp.Expression]) -> _Scope:
        scope = _Scope(node, parent)
        sources: list[exp.Expression] = []
        if isinstance(node, exp.Select):
            if _arg(node, "from"):
                sources.append(_arg(node, "from").this)
            for join in node.args.get("joins") or []:
                sources.append(join.this)
                scope.conditions += _conjuncts(join.args.get("on"))
            scope.conditions += _conjuncts(node.args["where"].this if node.args.get("where") else None)
        elif isinstance(node, (exp.Update, exp.Delete)):
            sources.append(node.this)
            if _arg(node, "from"):
                sources.append(_arg(node, "from").this)
            scope.conditions += _conjuncts(node.args["where"].this if node.args.get("where") else None)
        for source in sources:
            if isinstance(source, exp.Table):
                if source.name in ctes and not source.db:
                    scope.derived[source.alias_or_name] = ctes[source.name]
                else:
                    scope.tables[source.alias_or_name] = source.name
            elif isinstance(source, exp.Subquery):
                scope.derived[source.alias_or_name] = source.this
        return scope

    def _derived_constrained(self, query: exp.Expression, ctes, parent: _Scope | None) -> bool:
        return not self._unconstrained_query(query, parent, ctes)

    def _constrained(self, scope: _Scope, ctes) -> set[tuple[_Scope, str]]:
        """The (scope, alias) pairs whose school is fixed, this scope's and enclosing ones'."""
        known: set[tuple[_Scope, str]] = set()
        outer = scope.parent
        while outer is not None:  # an enclosing query's constrained tables stay constrained here
            known |= self._constrained(outer, ctes) if outer is scope.parent else set()
            outer = None
        for alias, query in scope.derived.items():
            if self._derived_constrained(query, ctes, scope.parent):
                known.add((scope, alias))
        links: list[tuple[tuple[_Scope, str], tuple[_Scope, str]]] = []
        single = next(iter({**scope.tables, **scope.derived})) if len(scope.tables) + len(scope.derived) == 1 \
            else None

        def ref(column: exp.Expression) -> tuple[_Scope, str] | None:
            column = column.unnest()
            if not isinstance(column, exp.Column) or column.name != "school_id":
                return None
            if column.table:
                return scope.resolve(column.table)
            return (scope, single) if single else None

        for condition in scope.conditions:
            if isinstance(condition, exp.EQ):
                left, right = ref(condition.left), ref(condition.right)
                if left and right:
                    links.append((left, right))
                elif left and _is_value(condition.right):
                    known.add(left)
                elif right and _is_value(condition.left):
                    known.add(right)
            elif isinstance(condition, exp.In):
                column = ref(condition.this)
                values = condition.expressions
                if column and values and all(_is_value(v) for v in values):
                    known.add(column)
        changed = True
        while changed:
            changed = False
            for a, b in links:
                if (a in known) != (b in known):
                    known |= {a, b}
                    changed = True
        return known
