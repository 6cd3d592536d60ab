"""Cell-key perturbation of published counts: the method of the Australian Bureau of Statistics'
TableBuilder and of the UK's Census 2021 (pure core).

Every student has a secret key (a keyed hash of the student and the school's report secret); a
cell's key is the sum of the keys of the students it counts (mod 2**32). The noise added to a count
is read from a fixed table at a position given by the cell key mixed with the measure's name, so:
- the same set of students always gets the same noise, in every report and every download: asking
  again, or for the same cell in another format, gives nothing new to average;
- two cells that differ by one student get unrelated noise, so subtracting one published table from
  another yields noise, not a person.
A published count is never below k (a shown cell counts at least k students) and an empty cell is
never published, so the noise cannot make a hidden cell look shown or the reverse.
"""
from __future__ import annotations

import hashlib

import numpy as np

# Noise -2..+2 with these chances: mean 0, variance 0.8; a published count is within 2 of the true one.
NOISE = np.array([-2, -1, 0, 1, 2])
CHANCES = np.array([0.05, 0.2, 0.5, 0.2, 0.05])
# The low-ratings count behind a share: -1..+1, so a share of 50 check-ins moves by 2 points at most.
SMALL_NOISE = np.array([-1, 0, 1])
SMALL_CHANCES = np.array([0.25, 0.5, 0.25])
MAX_NOISE = int(NOISE.max())
SMALL_MAX_NOISE = int(SMALL_NOISE.max())
KEY_SPACE = 2**32
_MASK = np.uint64(2**64 - 1)


def student_key(secret: bytes, student: int) -> int:
    """The student's cell-key contribution: uniform on 0..2**32-1, unknowable without the secret."""
    return int.from_bytes(hashlib.blake2b(str(int(student)).encode(), key=secret[:64], digest_size=4).digest(), "big")


def perturbed(counts: np.ndarray, cell_keys: np.ndarray, measure: str, *, floor: int,
              small: bool = False) -> np.ndarray:
    """Counts with their cell-key noise, never below `floor`; zeros stay zero."""
    noise_values, chances = (SMALL_NOISE, SMALL_CHANCES) if small else (NOISE, CHANCES)
    position = _uniform(np.asarray(cell_keys, dtype=np.uint64), measure)
    noise = noise_values[np.searchsorted(np.cumsum(chances)[:-1], position, side="right")]
    counts = np.asarray(counts)
    return np.where(counts > 0, np.maximum(counts + noise, floor), 0).astype(np.int64)


def record_keys(student_keys: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each check-in's key (< 2**32): its student's key mixed with its day. A count of check-ins is
    keyed by the sum of these (two of a student on one day add their key twice), so two cells of the
    same students but different check-ins get unrelated noise, which subtraction cannot cancel."""
    mixed = (np.asarray(student_keys, dtype=np.uint64)
             + np.asarray(days, dtype="datetime64[D]").astype(np.int64).astype(np.uint64) * np.uint64(2**32))
    return _splitmix(mixed) >> np.uint64(32)


def _uniform(keys: np.ndarray, measure: str) -> np.ndarray:
    """A position in [0, 1) per cell key, different for each measure (splitmix64 of key and salt)."""
    salt = np.uint64(int.from_bytes(hashlib.blake2b(measure.encode(), digest_size=8).digest(), "big"))
    return (_splitmix(np.asarray(keys, dtype=np.uint64) ^ salt) >> np.uint64(11)).astype(np.float64) / float(2**53)


def _splitmix(keys: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = keys * np.uint64(0x9E3779B97F4A7C15) & _MASK
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9) & _MASK
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB) & _MASK
        return z ^ (z >> np.uint64(31))
