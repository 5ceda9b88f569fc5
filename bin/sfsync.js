#!/usr/bin/env node
import { tuneHeap } from '../dist/cli/heap-tuning.js';

// Before main's modules load and allocate: see heap-tuning.ts.
tuneHeap();
const { main } = await import('../dist/cli/main.js');
await main();
