import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('garbage-answer');
defineFaultRow('fin-before-answer');
