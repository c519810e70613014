"""Pure-Python CPU workloads for `covet bench python`, run unchanged by GraalPy (in Covet's
interpreter pool) and by CPython (the peers). Each function is one task; each takes some tens of
milliseconds in CPython 3.11 on the reference machine."""
import json
import math


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib27():
    return fib(27)


def _document():
    """A nested document of about 100 KB as JSON."""
    items = []
    for i in range(500):
        items.append({
            "id": i,
            "name": f"item-{i}",
            "price": i * 1.25,
            "tags": ["alpha", "beta", "gamma"][: 1 + i % 3],
            "active": i % 2 == 0,
            "dimensions": {"w": i % 7, "h": i % 11, "d": None},
            "history": [{"t": t, "v": t * 0.5} for t in range(3)],
        })
    return {"version": 3, "items": items, "meta": {"source": "covet", "count": len(items)}}


_DOCUMENT = _document()


def json_roundtrip():
    text = json.dumps(_DOCUMENT)
    back = json.loads(text)
    return len(text) + len(back["items"])


# The same document with text outside ASCII in every name, written as Starlette's JSONResponse
# writes it (ensure_ascii=False): what an app whose users do not write English parses.
_UNICODE_TEXT = json.dumps(
    {**_DOCUMENT, "items": [{**item, "name": f"商品-{item['id']}-café"} for item in _DOCUMENT["items"]]},
    ensure_ascii=False)


def json_unicode():
    back = json.loads(_UNICODE_TEXT)
    text = json.dumps(back, ensure_ascii=False)
    return len(text) + len(back["items"])


# A small API payload (about 200 bytes as JSON), where json's per-call overhead dominates.
_PAYLOAD = {"id": 12345, "user": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "items": [{"sku": "A-1", "qty": 2, "price": 9.99}, {"sku": "B-2", "qty": 1, "price": 24.5}],
            "paid": True, "note": None}


def json_small():
    """1,000 dumps+loads round trips of _PAYLOAD."""
    n = 0
    for _ in range(1000):
        n += len(json.loads(json.dumps(_PAYLOAD)))
    return n


# nbody: the Computer Language Benchmarks Game's algorithm (five Jovian bodies).
_SOLAR_MASS = 4 * math.pi * math.pi
_DAYS_PER_YEAR = 365.24


def _bodies():
    return [
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], _SOLAR_MASS],
        [[4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
         [1.66007664274403694e-03 * _DAYS_PER_YEAR, 7.69901118419740425e-03 * _DAYS_PER_YEAR,
          -6.90460016972063023e-05 * _DAYS_PER_YEAR], 9.54791938424326609e-04 * _SOLAR_MASS],
        [[8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
         [-2.76742510726862411e-03 * _DAYS_PER_YEAR, 4.99852801234917238e-03 * _DAYS_PER_YEAR,
          2.30417297573763929e-05 * _DAYS_PER_YEAR], 2.85885980666130812e-04 * _SOLAR_MASS],
        [[1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
         [2.96460137564761618e-03 * _DAYS_PER_YEAR, 2.37847173959480950e-03 * _DAYS_PER_YEAR,
          -2.96589568540237556e-05 * _DAYS_PER_YEAR], 4.36624404335156298e-05 * _SOLAR_MASS],
        [[1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
         [2.68067772490389322e-03 * _DAYS_PER_YEAR, 1.62824170038242295e-03 * _DAYS_PER_YEAR,
          -9.51592254519715870e-05 * _DAYS_PER_YEAR], 5.15138902046611451e-05 * _SOLAR_MASS],
    ]


def _advance(bodies, pairs, dt, steps):
    for _ in range(steps):
        for ([x1, y1, z1], v1, m1, [x2, y2, z2], v2, m2) in pairs:
            dx = x1 - x2
            dy = y1 - y2
            dz = z1 - z2
            mag = dt * ((dx * dx + dy * dy + dz * dz) ** (-1.5))
            b1m = m1 * mag
            b2m = m2 * mag
            v1[0] -= dx * b2m
            v1[1] -= dy * b2m
            v1[2] -= dz * b2m
            v2[0] += dx * b1m
            v2[1] += dy * b1m
            v2[2] += dz * b1m
        for (r, [vx, vy, vz], m) in bodies:
            r[0] += dt * vx
            r[1] += dt * vy
            r[2] += dt * vz


def _energy(bodies, pairs):
    e = 0.0
    for (((x1, y1, z1), v1, m1), ((x2, y2, z2), v2, m2)) in pairs:
        dx = x1 - x2
        dy = y1 - y2
        dz = z1 - z2
        e -= (m1 * m2) / ((dx * dx + dy * dy + dz * dz) ** 0.5)
    for (r, [vx, vy, vz], m) in bodies:
        e += m * (vx * vx + vy * vy + vz * vz) / 2.0
    return e


def nbody(steps=5000):
    bodies = _bodies()
    px = py = pz = 0.0
    for (r, [vx, vy, vz], m) in bodies:
        px -= vx * m
        py -= vy * m
        pz -= vz * m
    v = bodies[0][1]
    v[0], v[1], v[2] = px / _SOLAR_MASS, py / _SOLAR_MASS, pz / _SOLAR_MASS
    pairs = []
    for i in range(len(bodies)):
        for j in range(i + 1, len(bodies)):
            pairs.append(bodies[i] + bodies[j])
    _advance(bodies, pairs, 0.01, steps)
    return _energy(bodies, [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)])


# spectral_norm: the Benchmarks Game's algorithm.
def _eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def _a_times_u(u):
    n = len(u)
    return [sum(_eval_a(i, j) * u[j] for j in range(n)) for i in range(n)]


def _at_times_u(u):
    n = len(u)
    return [sum(_eval_a(j, i) * u[j] for j in range(n)) for i in range(n)]


def spectral_norm(n=50):
    u = [1.0] * n
    v = None
    for _ in range(10):
        v = _at_times_u(_a_times_u(u))
        u = _at_times_u(_a_times_u(v))
    vbv = sum(ue * ve for ue, ve in zip(u, v))
    vv = sum(ve * ve for ve in v)
    return math.sqrt(vbv / vv)


WORKLOADS = {
    "fib27": fib27,
    "json_roundtrip": json_roundtrip,
    "json_small": json_small,
    "json_unicode": json_unicode,
    "nbody": nbody,
    "spectral_norm": spectral_norm,
}


def run(name):
    """Runs one task of workload `name` (what the pool calls)."""
    return WORKLOADS[name]()
