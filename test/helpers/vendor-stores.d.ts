// The third-party stores of the compatibility matrix that ship no types (each a factory that takes express-session, or our class, and returns a Store constructor).
declare module 'express-mysql-session';
declare module 'connect-sqlite3';
declare module 'session-file-store';
declare module 'connect-memcached';
declare module 'nedb-session-store';
