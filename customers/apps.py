from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder

        from .demo import seed_customers

        register_seeder(20, "customers", seed_customers)
        menu.register(menu.MenuItem("Customers", "customers:customer_list", "customers.customer", order=10))
