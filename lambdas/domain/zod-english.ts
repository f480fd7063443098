import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini with the English messages only: the classic API bundles every locale (~400 KB) into the Lambda. Imported for
// this effect by each module whose validation errors a person reads (a mapping's, a privacy request's); without it
// every error says only `Invalid input`.
z.config(en());
