def mysum(a, b):
    return a + b


def myprod(a, b):
    return a * b
