// SiftShell
