// The event journal: the Journal class, its options and error, and the file-system layer tests inject.
export { Journal, MAX_SINCE_LIMIT, type JournalOptions, type JournalListener } from './journal.js';
export { JournalError } from './errors.js';
export { nodeJournalFs, type JournalFs, type JournalFile } from './fs.js';
export { segmentName } from './segments.js';
