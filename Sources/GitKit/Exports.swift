// GitKit speaks of the values GitModel defines (object ids, times, signatures, trailers):
// every module that uses GitKit sees them too.
@_exported import GitModel
