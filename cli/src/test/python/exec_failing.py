def inner():
    raise ValueError("the script failed")


inner()
