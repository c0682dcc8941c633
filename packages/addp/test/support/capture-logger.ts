export { createMemoryLogger as captureLogger } from '@mlayer/common';
