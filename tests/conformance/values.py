"""AttributeValue builders shared by the suites: S("x") -> {"S": "x"}, N(5) -> {"N": "5"}, ..."""


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def BOOL(v):
    return {"BOOL": v}


NULL = {"NULL": True}


def SS(*v):
    return {"SS": list(v)}


def NS(*v):
    return {"NS": [str(x) for x in v]}


def BS(*v):
    return {"BS": list(v)}


def L(*v):
    return {"L": list(v)}


def M(d):
    return {"M": d}
