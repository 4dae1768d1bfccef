"""外国人住民 (住基法 第4章の3): 法30条の46 and 30条の47 の届出, 法務大臣's notices (法30条の50),
通称 (施行令 第30条の26) and 帰化. The mayor's notice to 法務大臣 that every change of a
foreign resident prepares (入管法 第61条の8の2) is recorded with the change itself
(`residents.service.record_event`, `ImmigrationNotice`)."""
