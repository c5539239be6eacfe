// SiftOps
