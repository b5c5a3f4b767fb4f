"""The baseline: a bare 20-line PySide6 tray app (icon, tooltip, menu with Quit)."""

import sys

from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("#2fb35f"))
tray = QSystemTrayIcon(QIcon(pixmap))
menu = QMenu()
quit_action = QAction("Quit", menu)
quit_action.triggered.connect(app.quit)
menu.addAction(quit_action)
tray.setContextMenu(menu)
tray.setToolTip("bare tray")
tray.show()
sys.exit(app.exec())
