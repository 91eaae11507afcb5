"""Training diagnosis: rules over the metrics stream that name a problem, the fixes the course teaches,
and the numbers behind it.

    findings = diagnose(run.read_metrics())     # the live app passes the rows it has so far

Rules read plain metrics.jsonl rows: report rows (they carry ``d_output``) with ``loss_*``, ``d_real``,
``d_fake`` and ``grad_norm_*`` (non-finite values are written as null), and "eval" rows with ``fid``,
``modes_covered``, ``classes_covered``, ``class_entropy``, ``recall``. Each rule returns one
:class:`Finding` per episode; ``step`` is where the episode started, so a view can link to that point.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

SUSTAIN = 5  # consecutive reports a condition must hold before it is a finding, not noise
EARLY = 5  # first reports that set the "earlier level" of a quantity
CONFIDENT = 0.9  # D(x) at or above this and D(G(z)) at or below 1 - this: D separates perfectly
GRAD_COLLAPSE = 0.1  # G's gradient norm below this share of its early level has collapsed
EXPLODE = 100.0  # a loss or gradient norm this many times its early level has exploded
WINDOW = 20  # reports per oscillation window
SWING = 0.8  # p90 - p10 of a loss around its linear trend, over max(|level|, 1): a swing, not noise
SETTLE = 0.7  # the second half of a window swinging at least this share of the first: not converging
SWINGS = 4  # up-down alternations a window needs to be a swing, not one jump in level
ENTROPY_DROP = 0.15  # fall of the class-histogram entropy (0..1) from its peak that counts as collapse
PROXY_DROP = 0.5  # a diversity proxy (recall, "diversity") below this share of its peak

FIXES = {
    "d_winning": [
        "use the non-saturating loss (loss.name=nonsaturating): G gets strong gradients exactly when D wins",
        "train D less: train.d_steps=1, train.g_steps=2, or a lower train.lr_d",
        "one-sided label smoothing (train.label_smoothing=0.1) so D cannot become overconfident",
        "instance noise (train.instance_noise=0.1) so the real and fake distributions overlap"],
    "mode_collapse": [
        "minibatch diversity: let D see batch statistics (minibatch discrimination, a minibatch-stddev feature)",
        "WGAN-GP, a Wasserstein loss with gradient penalty (loss.name=wgan_gp, train.d_steps=5)",
        "unrolled GAN updates (Metz et al.): G anticipates D's reply instead of chasing it",
        "condition on labels (model.name=cdcgan, or model.conditional=true) so every class is asked for"],
    "divergence": [
        "lower the learning rates (halve train.lr_d and train.lr_g)",
        "a gradient penalty (loss.penalty=gp or r1) or spectral norm in D (model.spectral_norm_d=true)",
        "resume from the last good checkpoint in checkpoints/ with the changes"],
    "oscillation": [
        "TTUR: a faster D than G, e.g. train.lr_d=4e-4 train.lr_g=1e-4 (Heusel et al.)",
        "lower learning rates, or Adam beta1 0.5 (train.beta1) to damp momentum",
        "R1 penalty (loss.penalty=r1): it damps the rotation around the equilibrium (Mescheder et al.)",
        "judge samples from the averaged generator (train.ema=0.999), which smooths the swings"],
}


@dataclass(frozen=True)
class Finding:
    """One problem episode: which rule, where it started, what to try, and the numbers that show it."""

    rule: str  # "d_winning", "mode_collapse", "divergence" or "oscillation"
    step: int  # the step where the episode started
    message: str  # one line naming the problem
    fixes: list[str] = field(default_factory=list)
    evidence: str = ""


# --- helpers ---
def _num(row: dict, key: str) -> float | None:
    """A finite number, or None (missing, null = non-finite, or not a number)."""
    v = row.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _reports(rows: list[dict]) -> list[dict]:
    return [r for r in rows if "d_output" in r and "event" not in r]


def _evals(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("event") == "eval"]


def _streaks(flags: list[bool], min_len: int) -> list[tuple[int, int]]:
    """(first, last) indices of runs of True at least ``min_len`` long."""
    out, start = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if i - start >= min_len:
                out.append((start, i - 1))
            start = None
    return out


def _early(rows: list[dict], key: str) -> float | None:
    """Median of the first EARLY finite values of ``key``: its earlier level."""
    values = [v for v in (_num(r, key) for r in rows) if v is not None][:EARLY]
    return float(np.median(values)) if values else None


def _finding(rule: str, step: int, message: str, evidence: str) -> Finding:
    return Finding(rule, int(step), message, list(FIXES[rule]), evidence)


# --- rules ---
def d_winning(rows: list[dict]) -> list[Finding]:
    """D(x) -> 1, D(G(z)) -> 0 (probability outputs) with G's gradient norm collapsed, for SUSTAIN reports."""
    reps = [r for r in _reports(rows) if r.get("d_output") == "probability"]
    ref = _early(reps, "grad_norm_g")
    if not ref:
        return []

    def winning(r: dict) -> bool:
        dr, df, g = _num(r, "d_real"), _num(r, "d_fake"), _num(r, "grad_norm_g")
        return None not in (dr, df, g) and dr >= CONFIDENT and df <= 1 - CONFIDENT and g <= GRAD_COLLAPSE * ref

    out = []
    for a, b in _streaks([winning(r) for r in reps], SUSTAIN):
        seg = reps[a:b + 1]
        mean = lambda k: float(np.mean([_num(r, k) for r in seg]))
        g = float(np.median([_num(r, "grad_norm_g") for r in seg]))
        out.append(_finding("d_winning", seg[0]["step"], "the discriminator is winning: G gets almost no gradient",
                            f"D(x) {mean('d_real'):.3f} and D(G(z)) {mean('d_fake'):.3f} over steps {seg[0]['step']}-"
                            f"{seg[-1]['step']}; G's gradient norm {g:.3g}, down from {ref:.3g} early on "
                            f"({g / ref:.1%})"))
    return out


def mode_collapse(rows: list[dict]) -> list[Finding]:
    """Modes / classes covered falling below their peak, the class entropy falling, or a diversity proxy halving."""
    evals, peaks = _evals(rows), {}
    reasons = [_collapse_reason(r, peaks) for r in evals]
    return [_finding("mode_collapse", evals[a]["step"], "mode collapse: the samples cover fewer modes than before",
                     reasons[a] + (f"; still so: {reasons[b]}" if b > a else ""))
            for a, b in _streaks([w is not None for w in reasons], 1)]


# Eval-row keys that fall when modes collapse, and the fall from their peak that counts.
DROPS = {"modes_covered": lambda v, peak: v <= peak - 1, "classes_covered": lambda v, peak: v <= peak - 1,
         "class_entropy": lambda v, peak: v <= peak - ENTROPY_DROP,
         "diversity": lambda v, peak: v < PROXY_DROP * peak, "recall": lambda v, peak: v < PROXY_DROP * peak}


def _collapse_reason(row: dict, peaks: dict[str, tuple[float, int]]) -> str | None:
    """Why ``row`` shows collapse against the running ``peaks`` {key: (value, step)}, which it then updates."""
    reason = None
    for key, dropped in DROPS.items():
        v = _num(row, key)
        if v is None:
            continue
        if reason is None and key in peaks and dropped(v, peaks[key][0]):
            total = row.get(key.replace("covered", "total")) if key.endswith("covered") else None
            reason = (f"{key} fell from {peaks[key][0]:.3g} (step {peaks[key][1]}) to {v:.3g}"
                      + (f" of {total}" if total else "") + f" at step {row['step']}")
        if key not in peaks or v > peaks[key][0]:
            peaks[key] = (v, row["step"])
    return reason


def divergence(rows: list[dict]) -> list[Finding]:
    """A loss that became NaN/inf, or a loss or gradient norm EXPLODE times its early level for 2+ reports."""
    reps = _reports(rows)
    keys = sorted({k for r in reps for k in r if k.startswith("loss")} | {"grad_norm_d", "grad_norm_g"})
    refs = {k: _early(reps, k) for k in keys}
    problems = [_divergence_problem(r, keys, refs) for r in reps]
    out = []
    for a, b in _streaks([p is not None for p in problems], 1):
        if b - a + 1 >= 2 or "non-finite" in problems[a]:
            out.append(_finding("divergence", reps[a]["step"], "training diverged: losses or gradients blew up",
                                problems[a]))
    return out


def _divergence_problem(row: dict, keys: list[str], refs: dict) -> str | None:
    for k in keys:
        v = _num(row, k)
        if v is None and k in row and (k.startswith("loss") or refs.get(k) is not None):
            return f"{k} became non-finite at step {row['step']}"
        floor = 1.0 if k.startswith("loss") else 1e-3  # losses near 0 (WGAN) are not a level to multiply
        if v is not None and refs.get(k) is not None and abs(v) > EXPLODE * max(abs(refs[k]), floor):
            return f"{k} = {v:.3g} at step {row['step']}, {abs(v) / max(abs(refs[k]), floor):.0f}x its early level"
    return None


def oscillation(rows: list[dict]) -> list[Finding]:
    """loss_d or loss_g swinging widely around its trend in WINDOW-report windows, not settling, SUSTAIN windows on."""
    reps = [r for r in _reports(rows) if _num(r, "loss_d") is not None and _num(r, "loss_g") is not None]
    swings = [_window_swing(reps[end - WINDOW + 1:end + 1]) for end in range(WINDOW - 1, len(reps))]
    out = []
    for a, _ in _streaks([w is not None for w in swings], SUSTAIN):
        key, spread, level, start = swings[a]
        window = reps[a:a + WINDOW]
        out.append(_finding("oscillation", window[start]["step"], "oscillation: the losses swing instead of converging",
                            f"{key} swings by {spread:.2f} (p10-p90) around its trend at level {level:.2f} over steps "
                            f"{window[start]['step']}-{window[-1]['step']} without settling"))
    return out


def _window_swing(window: list[dict]) -> tuple[str, float, float, int] | None:
    """(loss key, spread, level, index where the swinging starts) of the first loss that swings in ``window``."""
    for key in ("loss_d", "loss_g"):
        y = np.array([_num(r, key) for r in window])
        t = np.arange(len(y))
        resid = y - np.polyval(np.polyfit(t, y, 1), t)
        spread, level = float(np.percentile(resid, 90) - np.percentile(resid, 10)), float(np.mean(np.abs(y)))
        half = len(y) // 2
        settling = np.std(resid[half:]) < SETTLE * np.std(resid[:half])
        big = np.flatnonzero(np.abs(resid) > spread / 4)  # the reports that are part of a swing
        if spread > SWING * max(level, 1.0) and not settling and _alternations(resid[big]) >= SWINGS:
            return key, spread, level, int(big[0])
    return None


def _alternations(values: np.ndarray) -> int:
    """How often consecutive values change sign (the values are residuals already away from 0)."""
    return int(np.count_nonzero(np.diff(np.sign(values))))


RULES = {"d_winning": d_winning, "mode_collapse": mode_collapse, "divergence": divergence, "oscillation": oscillation}


def diagnose(rows: list[dict], rules: list[str] | None = None) -> list[Finding]:
    """Every rule's findings (or those of ``rules``) over metrics.jsonl rows, ordered by step."""
    unknown = [r for r in rules or [] if r not in RULES]
    if unknown:
        raise KeyError(f"unknown diagnosis rule {unknown[0]!r}; rules: {', '.join(RULES)}")
    found = [f for name in (rules or RULES) for f in RULES[name](rows)]
    return sorted(found, key=lambda f: (f.step, f.rule))


# --- what each rule watches, for a run with no finding too ---
HEALTHY, WATCH, PROBLEM, NO_DATA = "healthy", "watch", "problem", "no data"
NEAR = 0.5  # a value this far (as a share) from its rule's threshold towards it is worth watching
SPARK_POINTS = 120  # points kept per sparkline
TITLES = {"d_winning": "D is winning", "mode_collapse": "Mode collapse", "divergence": "Divergence",
          "oscillation": "Oscillation"}
MEANS = {
    "d_winning": "D separates real from fake so well that G's gradient vanishes: D(x) near 1, D(G(z)) near 0 and "
                 "G's gradient norm a small share of its early level, for several reports in a row.",
    "mode_collapse": "G covers fewer modes or classes than it did: the evaluation's coverage, class entropy or "
                     "recall falls from its peak (needs run.eval_every).",
    "divergence": "A loss or gradient norm becomes NaN or infinite, or grows to 100x its early level.",
    "oscillation": "A loss swings widely around its trend over 20 reports, and keeps swinging.",
}


@dataclass(frozen=True)
class Watched:
    """One value a rule reads: its recent series, its current value and how close it is to the rule's line."""

    key: str  # the metrics key, e.g. "d_real"
    label: str  # how the card names it
    steps: np.ndarray  # float [<= SPARK_POINTS]: the sparkline's x
    values: np.ndarray  # float [<= SPARK_POINTS]: the sparkline's y (finite values only)
    current: float | None
    state: str  # HEALTHY, WATCH, PROBLEM or NO_DATA
    line: str  # what would count against it, e.g. ">= 0.9 (problem), >= 0.8 (watch)"


@dataclass(frozen=True)
class RuleStatus:
    """Where a run stands on one rule: its state, what the rule means and the values it watches."""

    rule: str
    title: str
    state: str  # PROBLEM when the rule found an episode, else the worst state of its values
    means: str
    values: list[Watched]
    note: str = ""  # e.g. why a rule cannot judge this run


def watch(rows: list[dict], findings: list[Finding] | None = None) -> list[RuleStatus]:
    """Every rule's state on ``rows``, with the values it watches (a healthy run gets one each, too);
    ``findings``: ``diagnose(rows)`` when the caller has it already."""
    found = {f.rule for f in (diagnose(rows) if findings is None else findings)}
    return [_status(name, WATCHERS[name](rows), name in found) for name in RULES]


def _status(rule: str, watched: tuple[list[Watched], str], found: bool) -> RuleStatus:
    values, note = watched
    states = [v.state for v in values]
    state = PROBLEM if found else next((s for s in (PROBLEM, WATCH, HEALTHY) if s in states), NO_DATA)
    if state == PROBLEM and not found:
        state = WATCH  # one value over its line is not yet an episode (SUSTAIN reports, or a window)
    return RuleStatus(rule, TITLES[rule], state, MEANS[rule], values, note)


def _series(rows: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(r["step"], _num(r, key)) for r in rows if _num(r, key) is not None]
    steps = np.array([p[0] for p in pairs], np.float64)
    values = np.array([p[1] for p in pairs], np.float64)
    if len(steps) > SPARK_POINTS:  # evenly thinned, the newest kept
        keep = np.unique(np.linspace(0, len(steps) - 1, SPARK_POINTS).astype(int))
        steps, values = steps[keep], values[keep]
    return steps, values


def _watched(rows: list[dict], key: str, label: str, state_of, line: str) -> Watched:
    steps, values = _series(rows, key)
    current = float(values[-1]) if len(values) else None
    return Watched(key, label, steps, values, current, NO_DATA if current is None else state_of(current), line)


def _past(value: float, problem: float, watch: float) -> str:
    """PROBLEM at or past ``problem``, WATCH at or past ``watch`` (the side follows: problem > watch means
    larger is worse)."""
    worse = (lambda a, b: a >= b) if problem > watch else (lambda a, b: a <= b)
    return PROBLEM if worse(value, problem) else WATCH if worse(value, watch) else HEALTHY


def _watch_d_winning(rows):
    reps = [r for r in _reports(rows) if r.get("d_output") == "probability"]
    if not reps:
        return [], "D is a critic in this run (its scores are not probabilities): this rule does not apply"
    ref = _early(reps, "grad_norm_g")
    share = [{"step": r["step"], "x": _num(r, "grad_norm_g") / ref} for r in reps
             if ref and _num(r, "grad_norm_g") is not None]
    return [_watched(reps, "d_real", "D(x)", lambda v: _past(v, CONFIDENT, 0.8), f"problem at >= {CONFIDENT}"),
            _watched(reps, "d_fake", "D(G(z))", lambda v: _past(v, 1 - CONFIDENT, 0.2),
                     f"problem at <= {1 - CONFIDENT:.1f}"),
            dataclasses.replace(_watched(share, "x", "G's gradient / its early level",
                                         lambda v: _past(v, GRAD_COLLAPSE, 0.3), f"problem at <= {GRAD_COLLAPSE}"),
                                key="grad_norm_g")], ""


def _watch_mode_collapse(rows):
    evals = _evals(rows)
    keys = [k for k in DROPS if any(_num(r, k) is not None for r in evals)]
    if not keys:
        return [], "no evaluations yet: set run.eval_every to measure coverage during training"
    out = []
    for key in keys:
        peak = max(_num(r, key) for r in evals if _num(r, key) is not None)
        out.append(_watched(evals, key, key.replace("_", " "), lambda v, p=peak, k=key: _drop_state(k, v, p),
                            f"problem at a fall from its peak {peak:.3g}"))
    return out, ""


def _drop_state(key: str, value: float, peak: float) -> str:
    if DROPS[key](value, peak):
        return PROBLEM
    return WATCH if value < peak else HEALTHY


def _watch_divergence(rows):
    reps = _reports(rows)
    out = []
    for key in ("loss_d", "loss_g", "grad_norm_d", "grad_norm_g"):
        ref = _early(reps, key)
        if ref is None:
            continue
        floor = max(abs(ref), 1.0 if key.startswith("loss") else 1e-3)  # as the rule scales it
        scaled = [{"step": r["step"], "x": abs(_num(r, key)) / floor} for r in reps if _num(r, key) is not None]
        w = _watched(scaled, "x", f"{key} / its early level", lambda v: _past(v, EXPLODE, EXPLODE / 10),
                     f"problem at {EXPLODE:.0f}x")
        if any(key in r and _num(r, key) is None for r in reps):  # null in metrics.jsonl: it was NaN or inf
            w = dataclasses.replace(w, state=PROBLEM, line="it became non-finite")
        out.append(dataclasses.replace(w, key=key))
    return out, ""


def _watch_oscillation(rows):
    reps = [r for r in _reports(rows) if _num(r, "loss_d") is not None and _num(r, "loss_g") is not None]
    if len(reps) < WINDOW:
        return [], f"needs {WINDOW} reports with both losses"
    out = []
    for key in ("loss_d", "loss_g"):
        swings = []
        for end in range(WINDOW - 1, len(reps)):
            y = np.array([_num(r, key) for r in reps[end - WINDOW + 1:end + 1]])
            t = np.arange(len(y))
            resid = y - np.polyval(np.polyfit(t, y, 1), t)
            spread = float(np.percentile(resid, 90) - np.percentile(resid, 10))
            swings.append({"step": reps[end]["step"], "x": spread / (SWING * max(float(np.mean(np.abs(y))), 1.0))})
        out.append(dataclasses.replace(_watched(swings, "x", f"{key}: swing / the rule's line",
                                                lambda v: _past(v, 1.0, 0.6), "problem at 1 (while not settling)"),
                                       key=key))
    return out, ""


WATCHERS = {"d_winning": _watch_d_winning, "mode_collapse": _watch_mode_collapse, "divergence": _watch_divergence,
            "oscillation": _watch_oscillation}
