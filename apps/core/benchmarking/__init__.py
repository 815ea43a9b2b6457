"""The volume benchmark behind `make bench` (`manage.py bench`): each module measures one
part of the portal against its goal; `report` prints the table."""
