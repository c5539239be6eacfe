// SiftQuery
