BEGIN TRANSACTION;
CREATE TABLE ek_group (
	tenant TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	name TEXT, 
	kind TEXT, 
	year TEXT, 
	location TEXT, 
	subject TEXT, 
	school_year TEXT, 
	origin TEXT, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (tenant, "key"), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_group" VALUES('default','1HA','Klas 1HA','homeroom','1','99ZX10',NULL,'2025-2026','las',0);
INSERT INTO "ek_group" VALUES('default','1HA.wi',NULL,'teaching','1','99ZX10','wiskunde','2025-2026','las',0);
INSERT INTO "ek_group" VALUES('default','2V_lo',NULL,'composite','2','99ZX11','lichamelijke opvoeding',NULL,'las',0);
INSERT INTO "ek_group" VALUES('other-school','1HA','Klas 1HA','homeroom','1','99ZX10',NULL,'2025-2026','las',0);
INSERT INTO "ek_group" VALUES('other-school','1HA.wi',NULL,'teaching','1','99ZX10','wiskunde','2025-2026','las',0);
INSERT INTO "ek_group" VALUES('other-school','2V_lo',NULL,'composite','2','99ZX11','lichamelijke opvoeding',NULL,'las',0);
CREATE TABLE ek_guardian (
	tenant TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	first_name TEXT, 
	initials TEXT, 
	infix TEXT, 
	last_name TEXT, 
	email TEXT, 
	phone TEXT, 
	gender TEXT, 
	origin TEXT, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (tenant, "key"), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_guardian" VALUES('default','v00001',NULL,'A.','van der','Berg','a.vanderberg@example.nl','06-12345678',NULL,'las',0);
INSERT INTO "ek_guardian" VALUES('default','v00002',NULL,'F.',NULL,'D''Hondt',NULL,NULL,NULL,'las',0);
INSERT INTO "ek_guardian" VALUES('other-school','v00001',NULL,'A.','van der','Berg','a.vanderberg@example.nl','06-12345678',NULL,'las',0);
INSERT INTO "ek_guardian" VALUES('other-school','v00002',NULL,'F.',NULL,'D''Hondt',NULL,NULL,NULL,'las',0);
CREATE TABLE ek_guardian_student (
	tenant TEXT NOT NULL, 
	guardian_key TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	student_key TEXT NOT NULL, 
	relation TEXT, 
	legal_authority BOOLEAN, 
	receives_mail BOOLEAN, 
	PRIMARY KEY (tenant, guardian_key, position), 
	FOREIGN KEY(tenant, guardian_key) REFERENCES ek_guardian (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_guardian_student" VALUES('default','v00001',0,'00123','moeder',1,1);
INSERT INTO "ek_guardian_student" VALUES('default','v00001',1,'00124','moeder',1,1);
INSERT INTO "ek_guardian_student" VALUES('default','v00002',0,'00123','stiefvader',NULL,NULL);
INSERT INTO "ek_guardian_student" VALUES('default','v00002',1,'00124','vader',1,0);
INSERT INTO "ek_guardian_student" VALUES('other-school','v00001',0,'00123','moeder',1,1);
INSERT INTO "ek_guardian_student" VALUES('other-school','v00001',1,'00124','moeder',1,1);
INSERT INTO "ek_guardian_student" VALUES('other-school','v00002',0,'00123','stiefvader',NULL,NULL);
INSERT INTO "ek_guardian_student" VALUES('other-school','v00002',1,'00124','vader',1,0);
CREATE TABLE ek_location (
	tenant TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	name TEXT, 
	brin6 TEXT, 
	origin TEXT, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (tenant, "key"), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_location" VALUES('default','99ZX10','Locatie Zwolle','99ZX10','las',0);
INSERT INTO "ek_location" VALUES('default','99ZX11','Locatie ''s-Hertogenbosch','99ZX11','las',0);
INSERT INTO "ek_location" VALUES('other-school','99ZX10','Locatie Zwolle','99ZX10','las',0);
INSERT INTO "ek_location" VALUES('other-school','99ZX11','Locatie ''s-Hertogenbosch','99ZX11','las',0);
CREATE TABLE ek_run (
	tenant TEXT NOT NULL, 
	number INTEGER NOT NULL, 
	source TEXT NOT NULL, 
	description TEXT, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME NOT NULL, 
	outcome TEXT NOT NULL, 
	changes INTEGER NOT NULL, 
	problems INTEGER NOT NULL, 
	PRIMARY KEY (tenant, number), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_run" VALUES('default',1,'las','week 1','2025-09-01 07:00:00.000000','2025-09-01 07:01:00.000000','applied',12,0);
INSERT INTO "ek_run" VALUES('other-school',1,'las','week 1','2025-09-01 07:02:00.000000','2025-09-01 07:03:00.000000','applied',12,0);
INSERT INTO "ek_run" VALUES('default',2,'las',NULL,'2025-09-01 07:04:00.000000','2025-09-01 07:05:00.000000','refused-blocked',0,0);
CREATE TABLE ek_run_code (
	tenant TEXT NOT NULL, 
	run_number INTEGER NOT NULL, 
	field TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	code TEXT NOT NULL, 
	PRIMARY KEY (tenant, run_number, field, position), 
	FOREIGN KEY(tenant, run_number) REFERENCES ek_run (tenant, number) ON DELETE CASCADE
);
INSERT INTO "ek_run_code" VALUES('default',2,'blocked',0,'empty-source');
CREATE TABLE ek_run_count (
	tenant TEXT NOT NULL, 
	run_number INTEGER NOT NULL, 
	entity TEXT NOT NULL, 
	action TEXT NOT NULL, 
	count INTEGER NOT NULL, 
	PRIMARY KEY (tenant, run_number, entity, action), 
	FOREIGN KEY(tenant, run_number) REFERENCES ek_run (tenant, number) ON DELETE CASCADE
);
INSERT INTO "ek_run_count" VALUES('default',1,'location','add',2);
INSERT INTO "ek_run_count" VALUES('default',1,'group','add',3);
INSERT INTO "ek_run_count" VALUES('default',1,'student','add',3);
INSERT INTO "ek_run_count" VALUES('default',1,'staff','add',2);
INSERT INTO "ek_run_count" VALUES('default',1,'guardian','add',2);
INSERT INTO "ek_run_count" VALUES('other-school',1,'location','add',2);
INSERT INTO "ek_run_count" VALUES('other-school',1,'group','add',3);
INSERT INTO "ek_run_count" VALUES('other-school',1,'student','add',3);
INSERT INTO "ek_run_count" VALUES('other-school',1,'staff','add',2);
INSERT INTO "ek_run_count" VALUES('other-school',1,'guardian','add',2);
CREATE TABLE ek_run_problem (
	tenant TEXT NOT NULL, 
	run_number INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	code TEXT NOT NULL, 
	message TEXT NOT NULL, 
	entity TEXT, 
	"key" TEXT, 
	PRIMARY KEY (tenant, run_number, position), 
	FOREIGN KEY(tenant, run_number) REFERENCES ek_run (tenant, number) ON DELETE CASCADE
);
CREATE TABLE ek_schema (
	version INTEGER NOT NULL, 
	applied_at DATETIME NOT NULL, 
	edukoppel TEXT NOT NULL, 
	PRIMARY KEY (version)
);
INSERT INTO "ek_schema" VALUES(1,'2026-12-01 11:56:41.331208','0.1.0.dev0');
CREATE TABLE ek_school (
	tenant TEXT NOT NULL, 
	brin TEXT, 
	name TEXT, 
	school_year TEXT, 
	reference_date DATE, 
	PRIMARY KEY (tenant), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_school" VALUES('default','99ZX','Het Voorbeeld College','2025-2026',NULL);
INSERT INTO "ek_school" VALUES('other-school','99ZX','Het Voorbeeld College','2025-2026',NULL);
CREATE TABLE ek_staff (
	tenant TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	abbreviation TEXT, 
	eckid TEXT, 
	username TEXT, 
	email TEXT, 
	first_name TEXT, 
	initials TEXT, 
	infix TEXT, 
	last_name TEXT, 
	gender TEXT, 
	start_date DATE, 
	end_date DATE, 
	origin TEXT, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (tenant, "key"), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_staff" VALUES('default','m0042','BRK',NULL,'j.vanbrink','j.vanbrink@voorbeeld.nl','Jürgen',NULL,'van','Brink',NULL,NULL,NULL,'las',0);
INSERT INTO "ek_staff" VALUES('default','m0043','CEL',NULL,NULL,NULL,'Ömer',NULL,NULL,'Çelik',NULL,NULL,NULL,'las',0);
INSERT INTO "ek_staff" VALUES('other-school','m0042','BRK',NULL,'j.vanbrink','j.vanbrink@voorbeeld.nl','Jürgen',NULL,'van','Brink',NULL,NULL,NULL,'las',0);
INSERT INTO "ek_staff" VALUES('other-school','m0043','CEL',NULL,NULL,NULL,'Ömer',NULL,NULL,'Çelik',NULL,NULL,NULL,'las',0);
CREATE TABLE ek_staff_group (
	tenant TEXT NOT NULL, 
	staff_key TEXT NOT NULL, 
	group_key TEXT NOT NULL, 
	role TEXT NOT NULL, 
	PRIMARY KEY (tenant, staff_key, group_key, role), 
	FOREIGN KEY(tenant, staff_key) REFERENCES ek_staff (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_staff_group" VALUES('default','m0042','1HA','mentor');
INSERT INTO "ek_staff_group" VALUES('default','m0042','1HA.wi','docent');
INSERT INTO "ek_staff_group" VALUES('default','m0043','2V_lo','docent');
INSERT INTO "ek_staff_group" VALUES('other-school','m0042','1HA','mentor');
INSERT INTO "ek_staff_group" VALUES('other-school','m0042','1HA.wi','docent');
INSERT INTO "ek_staff_group" VALUES('other-school','m0043','2V_lo','docent');
CREATE TABLE ek_staff_location (
	tenant TEXT NOT NULL, 
	staff_key TEXT NOT NULL, 
	location_key TEXT NOT NULL, 
	PRIMARY KEY (tenant, staff_key, location_key), 
	FOREIGN KEY(tenant, staff_key) REFERENCES ek_staff (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_staff_location" VALUES('default','m0042','99ZX10');
INSERT INTO "ek_staff_location" VALUES('default','m0043','99ZX11');
INSERT INTO "ek_staff_location" VALUES('other-school','m0042','99ZX10');
INSERT INTO "ek_staff_location" VALUES('other-school','m0043','99ZX11');
CREATE TABLE ek_staff_mentee (
	tenant TEXT NOT NULL, 
	staff_key TEXT NOT NULL, 
	student_key TEXT NOT NULL, 
	PRIMARY KEY (tenant, staff_key, student_key), 
	FOREIGN KEY(tenant, staff_key) REFERENCES ek_staff (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_staff_mentee" VALUES('default','m0042','00123');
INSERT INTO "ek_staff_mentee" VALUES('other-school','m0042','00123');
CREATE TABLE ek_staff_role (
	tenant TEXT NOT NULL, 
	staff_key TEXT NOT NULL, 
	role TEXT NOT NULL, 
	PRIMARY KEY (tenant, staff_key, role), 
	FOREIGN KEY(tenant, staff_key) REFERENCES ek_staff (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_staff_role" VALUES('default','m0042','docent');
INSERT INTO "ek_staff_role" VALUES('default','m0042','mentor');
INSERT INTO "ek_staff_role" VALUES('other-school','m0042','docent');
INSERT INTO "ek_staff_role" VALUES('other-school','m0042','mentor');
CREATE TABLE ek_student (
	tenant TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	student_number TEXT, 
	eckid TEXT, 
	username TEXT, 
	email TEXT, 
	first_name TEXT, 
	given_names TEXT, 
	initials TEXT, 
	infix TEXT, 
	last_name TEXT, 
	birth_date DATE, 
	gender TEXT, 
	year TEXT, 
	program TEXT, 
	location TEXT, 
	homeroom TEXT, 
	start_date DATE, 
	end_date DATE, 
	origin TEXT, 
	archived BOOLEAN NOT NULL, 
	PRIMARY KEY (tenant, "key"), 
	FOREIGN KEY(tenant) REFERENCES ek_tenant (tenant)
);
INSERT INTO "ek_student" VALUES('default','00123','00123',NULL,'daan.vandenberg','daan.vandenberg@leerling.voorbeeld.nl','Daan','Daan Johannes','D.J.','van der','Berg','2012-03-04','male','1','havo','99ZX10','1HA','2024-08-19',NULL,'las',0);
INSERT INTO "ek_student" VALUES('default','00124',NULL,NULL,'zoe.dhondt',NULL,'Zoë',NULL,NULL,NULL,'D''Hondt',NULL,'female','1',NULL,'99ZX10','1HA',NULL,NULL,'las',0);
INSERT INTO "ek_student" VALUES('default','00999',NULL,NULL,'anais.intveld',NULL,'Anaïs',NULL,NULL,'in ''t','Veld','2011-12-31',NULL,NULL,NULL,'99ZX11',NULL,NULL,NULL,'las',0);
INSERT INTO "ek_student" VALUES('other-school','00123','00123',NULL,'daan.vandenberg','daan.vandenberg@leerling.voorbeeld.nl','Daan','Daan Johannes','D.J.','van der','Berg','2012-03-04','male','1','havo','99ZX10','1HA','2024-08-19',NULL,'las',0);
INSERT INTO "ek_student" VALUES('other-school','00124',NULL,NULL,'zoe.dhondt',NULL,'Zoë',NULL,NULL,NULL,'D''Hondt',NULL,'female','1',NULL,'99ZX10','1HA',NULL,NULL,'las',0);
INSERT INTO "ek_student" VALUES('other-school','00999',NULL,NULL,'anais.intveld',NULL,'Anaïs',NULL,NULL,'in ''t','Veld','2011-12-31',NULL,NULL,NULL,'99ZX11',NULL,NULL,NULL,'las',0);
CREATE TABLE ek_student_group (
	tenant TEXT NOT NULL, 
	student_key TEXT NOT NULL, 
	group_key TEXT NOT NULL, 
	PRIMARY KEY (tenant, student_key, group_key), 
	FOREIGN KEY(tenant, student_key) REFERENCES ek_student (tenant, "key") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "ek_student_group" VALUES('default','00123','1HA.wi');
INSERT INTO "ek_student_group" VALUES('default','00124','1HA.wi');
INSERT INTO "ek_student_group" VALUES('default','00999','2V_lo');
INSERT INTO "ek_student_group" VALUES('other-school','00123','1HA.wi');
INSERT INTO "ek_student_group" VALUES('other-school','00124','1HA.wi');
INSERT INTO "ek_student_group" VALUES('other-school','00999','2V_lo');
CREATE TABLE ek_tenant (
	tenant TEXT NOT NULL, 
	store_id TEXT NOT NULL, 
	revision BIGINT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (tenant)
);
INSERT INTO "ek_tenant" VALUES('default','f6ecdab66ef04c39',1,'2026-12-01 11:56:41.332596');
INSERT INTO "ek_tenant" VALUES('other-school','ea50429ed5b841c2',1,'2026-12-01 11:56:41.340615');
CREATE INDEX ek_student_group_ix ON ek_student_group (tenant, group_key);
CREATE INDEX ek_staff_group_ix ON ek_staff_group (tenant, group_key);
CREATE INDEX ek_staff_mentee_ix ON ek_staff_mentee (tenant, student_key);
CREATE INDEX ek_staff_location_ix ON ek_staff_location (tenant, location_key);
CREATE INDEX ek_guardian_student_ix ON ek_guardian_student (tenant, student_key);
COMMIT;
