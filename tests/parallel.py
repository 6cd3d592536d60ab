"""Run the same work in several threads at once, each with its own app context, session and transaction."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from schoolpeers.extensions import db


def all_at_once(app, action: Callable[..., object], attempts: Sequence[tuple],
                refused: tuple[type[Exception], ...] = (), timeout: float = 60) -> list:
    """action(*args) for each attempt, all released together, then committed. Each outcome is what
    the action returned ("ok" for None), "refused" for an expected refusal, or "Type: message"."""
    barrier = threading.Barrier(len(attempts))
    outcomes = []

    def attempt(*args):
        with app.app_context():
            try:
                barrier.wait()
                result = action(*args)
                db.session.commit()
                outcomes.append("ok" if result is None else result)
            except refused:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # any other failure is an outcome the test reports
                db.session.rollback()
                outcomes.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=args) for args in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
