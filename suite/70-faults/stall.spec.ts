import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('stall');
