import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('answer-stall');
