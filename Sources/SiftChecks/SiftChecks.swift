// SiftChecks
