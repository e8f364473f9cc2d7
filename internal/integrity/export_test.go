package integrity

// KeepLogFiles sets how many log files of a digest are kept before it is
// read twice, and returns what restores it.
func KeepLogFiles(n int) (restore func()) {
	old := keptLogFiles
	keptLogFiles = n
	return func() { keptLogFiles = old }
}
