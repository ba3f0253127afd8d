#!/usr/bin/env node
import { runAsProcess } from './as-process.js';
import { main } from './main.js';

runAsProcess(main);
