import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('refuse');
defineFaultRow('answer-delay');
