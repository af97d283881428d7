import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('reset-before-head');
defineFaultRow('reset-mid-body');
defineFaultRow('reset-mid-stream');
