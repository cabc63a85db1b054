import ArgumentParser; import BoardSupport; print("hi")
