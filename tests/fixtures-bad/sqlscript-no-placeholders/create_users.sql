CREATE TABLE users AS SELECT * FROM raw_users;
