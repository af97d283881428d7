import { defineFaultRow } from './fault-matrix.js';

defineFaultRow('garbage');
defineFaultRow('half-close');
