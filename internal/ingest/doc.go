// Package ingest is the pure first half of the import pipeline: it turns an
// upload (a ZIP as sold by pattern stores, ZIPs inside ZIPs, or one loose
// file) into designs with their files, names, notes, keywords and a type
// hint. It knows nothing of SQL, HTTP or storage, and is safe for
// concurrent use.
//
// # Unpacking
//
// OpenArchive opens an upload under Limits for reading one file at a time
// (the import pipeline streams designs this way: nothing but the listing
// is held in memory); Unpack reads every file into memory. Every refusal
// returns an *Error wrapping one sentinel (ErrNotZip, ErrTooLarge,
// ErrTooManyEntries, ErrZipBomb, ErrTooDeep, ErrUnsafePath, ErrSymlink,
// ErrEncrypted, ErrUnsupportedMethod, ErrCorrupt, ErrEmpty) with the
// entry's name; Explain turns it into one sentence for the quilter. Check
// refuses at upload time what can be refused without reading the files.
//
// Limits are checked against the sizes entries declare, before anything
// is read: archive/zip never reads more or fewer bytes than an entry
// declares (nor accepts a bad CRC), so a lying header makes that entry
// fail as corrupt and can never make it bigger than was allowed. Nested
// ZIPs are unpacked to temporary files when the archive is opened. The
// ZIP-bomb rule: an entry may expand to max(RatioExempt, MaxRatio × its
// compressed size) and the whole upload to max(RatioExempt, MaxRatio ×
// the upload's size), nested ZIPs included, so that 42.zip-style nesting
// of small, individually harmless entries is caught by the second bound.
// Entry counts are checked by walking the central directory before
// archive/zip allocates anything per entry.
//
// Entry names are read as code page 437 when they are not UTF-8 (as the ZIP
// format says), backslashes become slashes, and any absolute name, drive
// letter, ".." segment or control character is refused, even a ".." that
// would stay inside the archive. Entries whose cleaned paths collide
// (ignoring case) are kept, the later one renamed "name (2).ext".
//
// # Grouping
//
// GroupUpload sorts files into designs folder by folder, keeps the files
// of a whole store (its README, its licence) once rather than with every
// design, and leaves out repository files (dotfiles); its doc comment
// gives the rules. Roles come from Classify: extensions for machine formats and
// pictures, names for notes, and a simple content sniff for .txt and
// extension-less files (lines of coordinates or machine commands are a
// design, prose is notes).
//
// # Words
//
// Keywords drops a small, documented set of words: noiseWords (formats,
// versions and copies, picture decorations, and words every quilting design
// shares) and stopWords (15 English function words). Type words go to
// TypeHint instead of the keywords.
package ingest
