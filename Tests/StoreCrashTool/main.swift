// The kill test's child process; filled in with the kill test.
print("sift-store-crashtest")
